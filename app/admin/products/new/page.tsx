import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { offerablePlans } from "@/lib/products/offerable-plans";
import { ProductForm } from "../product-form";

export const metadata: Metadata = { title: "New product" };

export default async function NewProductPage() {
  const user = await requireRole(APPROVER_ROLES, "/admin/products/new");
  const plans = await offerablePlans(db, user, null);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-zinc-500">
        <Link href="/admin/products" className="hover:underline">
          Products
        </Link>{" "}
        / <span aria-current="page">New</span>
      </nav>
      <PageHeader title="New product" description="Products start as drafts. Publish when the description, plans and API reference are ready." />
      <ProductForm
        product={{ name: "", slug: "", summary: "", description: "", tags: [], authMethod: "api_key", planIds: [], openapi: "" }}
        plans={plans}
      />
    </>
  );
}
