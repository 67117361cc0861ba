import { PageHeader } from "@/components/ui/page-header";
import { cachedProducts, cachedTags } from "@/lib/catalogue/cached";
import { CatalogueSearch } from "./catalogue-search";
import { ProductGrid } from "./product-grid";

export async function CatalogueView({ q, tag }: { q: string; tag: string | undefined }) {
  const [products, tags] = await Promise.all([cachedProducts({ q, tag }), cachedTags()]);
  return (
    <>
      <PageHeader title="API catalogue" description="Every published API, with its plans and how to get access." />
      <CatalogueSearch q={q} tag={tag} tags={tags} />
      <p className="mb-4 text-sm text-zinc-500" aria-live="polite">
        {products.length} {products.length === 1 ? "API" : "APIs"}
        {q ? ` matching “${q}”` : ""}
        {tag ? ` tagged ${tag}` : ""}
      </p>
      <ProductGrid products={products} filtered={Boolean(q || tag)} />
    </>
  );
}
