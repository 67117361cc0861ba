import "server-only";
import { unstable_cache } from "next/cache";
import { db } from "@/db/client";
import { CATALOGUE_TAG } from "@/lib/catalogue/cached";
import { publishedOpenApi } from "./published-openapi";

/** Cached under the catalogue tag, so publishing or editing a product refreshes the API reference with the page. */
export const cachedOpenApi = unstable_cache((slug: string) => publishedOpenApi(db, slug), ["catalogue-product-openapi"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});
