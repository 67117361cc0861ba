import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { productChoices } from "@/lib/api-access/queries";
import { requireRole } from "@/lib/auth/guards";
import { AddKeyForm } from "../add-key-form";

export const metadata: Metadata = { title: "Add access key" };

export default async function NewApiKeyPage() {
  const actor = await requireRole(["admin"], "/admin/api-keys/new");
  const products = await productChoices(db, actor);
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/api-keys", label: "API access keys" }} current="Add" />
      <PageHeader
        title="Add access key"
        description="The token is shown once, right after you add the key. The name and the expiry cannot be changed later; the roles can."
      />
      <AddKeyForm products={products} />
    </>
  );
}
