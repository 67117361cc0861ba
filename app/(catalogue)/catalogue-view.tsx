import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { cachedProducts, cachedTags } from "@/lib/catalogue/cached";
import { listPublishedProducts } from "@/lib/catalogue/queries";
import { tagLabel } from "@/lib/catalogue/tag-label";
import { CatalogueSearch } from "./catalogue-search";
import { ProductGrid } from "./product-grid";

export async function CatalogueView({ q, tag }: { q: string; tag: string | undefined }) {
  const tags = await cachedTags();
  // Only the finite views are cached (everything, or one tag in use): a free-text search, or a tag
  // nobody uses, is one query and leaves nothing behind, so visitors cannot fill the cache.
  const finite = q === "" && (tag === undefined || tags.includes(tag));
  const products = finite ? await cachedProducts({ tag }) : await listPublishedProducts(db, { q, tag });
  return (
    <>
      <PageHeader title="API catalogue" description="Every published API, with its plans and how to get access." />
      <CatalogueSearch q={q} tag={tag} tags={tags} />
      <p className="mb-4 text-sm text-zinc-500 dark:text-zinc-400" aria-live="polite">
        {products.length} {products.length === 1 ? "API" : "APIs"}
        {q ? ` matching “${q}”` : ""}
        {tag ? ` tagged ${tagLabel(tag)}` : ""}
      </p>
      <ProductGrid products={products} filtered={Boolean(q || tag)} />
    </>
  );
}
