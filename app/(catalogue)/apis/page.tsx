import type { Metadata } from "next";
import { CatalogueView } from "../catalogue-view";

export const metadata: Metadata = { title: "APIs" };
// Served from the static cache; revalidated by tag when a product changes, and every 5 minutes.
export const revalidate = 300;

/** The unfiltered catalogue. Searches and tag filters are rewritten by proxy.ts to /catalogue-search. */
export default function CataloguePage() {
  return <CatalogueView q="" tag={undefined} />;
}
