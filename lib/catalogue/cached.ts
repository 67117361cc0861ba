import "server-only";
import { unstable_cache } from "next/cache";
import { db } from "@/db/client";
import { CATALOGUE_TAG } from "./catalogue-tag";
import { getPublishedProduct, listCatalogueTags, listCategories, listFeaturedProducts, listPublishedProducts, type CatalogueFilter } from "./queries";

export { CATALOGUE_TAG };

export const cachedProducts = unstable_cache(
  (filter: CatalogueFilter) => listPublishedProducts(db, filter),
  ["catalogue-products"],
  { tags: [CATALOGUE_TAG], revalidate: 300 },
);

export const cachedTags = unstable_cache(() => listCatalogueTags(db), ["catalogue-tags"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});

export const cachedProduct = unstable_cache((slug: string) => getPublishedProduct(db, slug), ["catalogue-product"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});

export const cachedFeaturedProducts = unstable_cache(() => listFeaturedProducts(db), ["catalogue-featured"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});

export const cachedCategories = unstable_cache(() => listCategories(db), ["catalogue-categories"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});
