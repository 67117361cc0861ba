import type { Metadata } from "next";
import { parseCatalogueParams } from "../catalogue-params";
import { CatalogueView } from "../catalogue-view";

export const metadata: Metadata = { title: "APIs", robots: { index: false } };

/** `/apis?q=…&tag=…` lands here (see proxy.ts): the search runs in Postgres on every request. */
export default async function CatalogueSearchPage({ searchParams }: PageProps<"/catalogue-search">) {
  const { q, tag } = parseCatalogueParams(await searchParams);
  return <CatalogueView q={q} tag={tag} />;
}
