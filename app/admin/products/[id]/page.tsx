import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { getManagedProduct } from "@/lib/products/get-product";
import { offerablePlans } from "@/lib/products/offerable-plans";
import { productIdSchema } from "@/lib/products/product-schema";
import { workingKeysOfProduct } from "@/lib/products/working-keys";
import { ProductForm } from "../product-form";
import { ProductStatusBadge } from "../product-status-badge";
import { StatusActions } from "./status-actions";

export const metadata: Metadata = { title: "Edit product" };

export default async function EditProductPage({
  params,
  searchParams,
}: PageProps<"/admin/products/[id]">) {
  const { id } = await params;
  const user = await requireRole(APPROVER_ROLES, `/admin/products/${id}`);
  const parsed = productIdSchema.safeParse(id);
  const product = parsed.success ? await getManagedProduct(db, user, parsed.data) : null;
  if (!product) notFound();
  const plans = await offerablePlans(db, user, product.id);
  const created = (await searchParams).created === "1";
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/products", label: "Products" }} current={product.name} />
      <PageHeader
        title={product.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <ProductStatusBadge status={product.status} />
            {product.status === "published" ? (
              <Link href={`/apis/${product.slug}`} className="text-sm text-indigo-600 underline">
                View in the catalogue
              </Link>
            ) : (
              <span className="text-sm">Not in the catalogue.</span>
            )}
            <AuditTimelineLink
              subjectType="product"
              subjectId={product.id}
              viewerRole={user.role}
            />
          </span>
        }
      />
      {created ? (
        <p
          role="status"
          className="mb-6 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
        >
          Product created as a draft. Publish it below when it is ready.
        </p>
      ) : null}
      <Card className="mb-8">
        <h2 className="mb-3 font-semibold">Catalogue</h2>
        <StatusActions id={product.id} name={product.name} status={product.status} access={await workingKeysOfProduct(db, product.id)} />
      </Card>
      {product.status === "archived" ? (
        <Card>
          <h2 className="mb-2 font-semibold">Details</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="archived-read-only">
            Archived products cannot be edited. Restore it above, then edit and publish it again.
          </p>
        </Card>
      ) : (
        <ProductForm
          product={{
            id: product.id,
            name: product.name,
            slug: product.slug,
            summary: product.summary,
            description: product.description,
            tags: product.tags,
            authMethod: product.authMethod,
            planIds: product.planIds,
            openapi: product.openapi ?? "",
          }}
          plans={plans}
        />
      )}
    </>
  );
}
