import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { webhookProductChoices } from "@/lib/webhooks/queries";
import { EndpointForm } from "../endpoint-form";

export const metadata: Metadata = { title: "Add webhook endpoint" };

export default async function NewWebhookPage() {
  const actor = await requireRole(["admin"], "/admin/webhooks/new");
  const products = await webhookProductChoices(db, actor);
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/webhooks", label: "Webhooks" }} current="Add" />
      <PageHeader title="Add webhook endpoint" description="Its signing secret is shown once, right after you add it. Everything else can be changed later." />
      <EndpointForm products={products} />
    </>
  );
}
