import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { getWebhookEndpoint, webhookProductChoices } from "@/lib/webhooks/queries";
import { EndpointForm } from "../../endpoint-form";

export const metadata: Metadata = { title: "Edit webhook endpoint" };

export default async function EditWebhookPage({ params }: PageProps<"/admin/webhooks/[id]/edit">) {
  const { id } = await params;
  const actor = await requireRole(["admin"], `/admin/webhooks/${id}/edit`);
  const [endpoint, products] = await Promise.all([getWebhookEndpoint(db, actor, id), webhookProductChoices(db, actor)]);
  if (!endpoint) notFound();
  return (
    <>
      <Breadcrumb parent={{ href: `/admin/webhooks/${id}`, label: endpoint.name }} current="Edit" />
      <PageHeader title={`Edit ${endpoint.name}`} description="Changes apply from the next message sent. The signing secret is changed with Rotate secret on the endpoint's page." />
      <EndpointForm
        products={products}
        edit={{
          id,
          values: {
            name: endpoint.name,
            description: endpoint.description,
            url: endpoint.url,
            eventTypes: endpoint.eventTypes ?? "all",
            productIds: endpoint.productIds ?? "all",
            enabled: endpoint.enabled,
          },
        }}
      />
    </>
  );
}
