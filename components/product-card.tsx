import { Link } from "@/components/ui/link";
import type { CatalogueProduct } from "@/lib/catalogue/queries";
import { tagLabel } from "@/lib/catalogue/tag-label";
import { AuthMethodNote } from "./auth-method";
import { Badge } from "./ui/badge";

/** A product in a grid; `headingLevel` 3 where the grid sits under its own h2 (the home page's sections). */
export function ProductCard({ product, headingLevel = 2 }: { product: CatalogueProduct; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 3 ? "h3" : "h2";
  return (
    <li className="group relative flex flex-col rounded-lg border border-zinc-200 bg-white p-5 shadow-sm transition hover:border-indigo-300 focus-within:ring-2 focus-within:ring-indigo-500 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-indigo-700">
      <Heading className="font-semibold text-zinc-900 wrap-anywhere dark:text-zinc-50">
        <Link href={`/apis/${product.slug}`} className="outline-none after:absolute after:inset-0">
          {product.name}
        </Link>
      </Heading>
      <p className="mt-2 flex-1 text-sm text-zinc-600 dark:text-zinc-400">{product.summary}</p>
      <div className="mt-4 flex flex-wrap items-center gap-x-2 gap-y-1.5">
        <AuthMethodNote method={product.authMethod} />
        {product.tags.map((tag) => (
          <Badge key={tag}>{tagLabel(tag)}</Badge>
        ))}
        <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400">
          {product.planCount} {product.planCount === 1 ? "plan" : "plans"}
        </span>
      </div>
    </li>
  );
}
