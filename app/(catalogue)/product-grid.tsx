import { Link } from "@/components/ui/link";
import { ProductCard } from "@/components/product-card";
import { EmptyState } from "@/components/ui/empty-state";
import type { CatalogueProduct } from "@/lib/catalogue/queries";

export function ProductGrid({ products, filtered }: { products: CatalogueProduct[]; filtered: boolean }) {
  if (products.length === 0) {
    return filtered ? (
      <EmptyState title="No APIs match your search">
        Try another word or{" "}
        <Link href="/apis" className="text-indigo-600 dark:text-indigo-400 underline">
          clear the filters
        </Link>
        .
      </EmptyState>
    ) : (
      <EmptyState title="No APIs published yet">Owners publish products from the admin portal.</EmptyState>
    );
  }
  return (
    <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="API products">
      {products.map((p) => (
        <ProductCard key={p.slug} product={p} />
      ))}
    </ul>
  );
}
