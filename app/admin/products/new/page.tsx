import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
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
      <Breadcrumb parent={{ href: "/admin/products", label: "Products" }} current="New" />
      <PageHeader title="New product" description="Products start as drafts. Publish when the description, plans and API reference are ready." />
      <ProductForm
        product={{ name: "", slug: "", summary: "", description: "", tags: [], authMethod: "api_key", planIds: [], openapi: "" }}
        plans={plans}
      />
    </>
  );
}
