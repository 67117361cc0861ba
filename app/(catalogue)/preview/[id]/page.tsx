import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound, redirect } from "next/navigation";
import { db } from "@/db/client";
import { currentUser } from "@/lib/auth/guards";
import { productDetail } from "@/lib/catalogue/queries";
import { snippetTarget } from "@/lib/catalogue/snippets";
import { env } from "@/lib/env";
import { getManagedProduct } from "@/lib/products/get-product";
import { productIdSchema } from "@/lib/products/product-schema";
import { ProductView } from "../../product-view";

export const metadata: Metadata = { title: "Preview", robots: { index: false, follow: false } };

/**
 * A product's page as it would be published, for its owner or an admin only. Anyone else, signed in
 * or not, gets the same 404 as for a product that does not exist: a draft's existence is not public.
 */
export default async function PreviewPage({ params }: PageProps<"/preview/[id]">) {
  const { id } = await params;
  const parsed = productIdSchema.safeParse(id);
  const actor = parsed.success ? await currentUser() : null;
  const product = actor && parsed.success ? await getManagedProduct(db, actor, parsed.data) : null;
  if (!product) notFound();
  if (product.status === "published") redirect(`/apis/${product.slug}`);
  const detail = await productDetail(db, product);
  return (
    <ProductView
      product={detail}
      openapi={product.openapi}
      snippetTarget={snippetTarget(product, product.openapi, env.baseUrl)}
      planAction={() => null}
      banner={
        <div role="status" className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
          <p>
            <strong>Preview — not published.</strong> Only you and admins can see this page. Visitors see it once you publish the product.
          </p>
          <Link href={`/admin/products/${product.id}`} className="font-medium underline">
            Back to the product
          </Link>
        </div>
      }
    />
  );
}
