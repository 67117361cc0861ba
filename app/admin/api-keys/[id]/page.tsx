import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { apiKeyIdSchema, rowOf } from "@/lib/api-access/key-form";
import { getApiAccessKey } from "@/lib/api-access/manage";
import { apiAccessKeyActivity, describeGrant, productChoices } from "@/lib/api-access/queries";
import { requireRole } from "@/lib/auth/guards";
import { DomainError } from "@/lib/errors";
import { formatDate, formatDateTime } from "@/lib/format";
import { EditKeyForm } from "../edit-key-form";
import { RemoveKeyForm } from "../remove-key-form";

export const metadata: Metadata = { title: "API access key" };

/** Where an event's subject can be looked at, when it has a page. */
function subjectHref(type: string, id: string) {
  if (type === "request") return `/admin/requests/${id}`;
  if (type === "product") return `/admin/products/${id}`;
  if (type === "plan") return `/admin/plans/${id}`;
  return null;
}

export default async function ApiKeyPage({ params }: PageProps<"/admin/api-keys/[id]">) {
  const { id } = await params;
  const actor = await requireRole(["admin"], `/admin/api-keys/${id}`);
  const parsed = apiKeyIdSchema.safeParse(id);
  if (!parsed.success) notFound();
  const key = await getApiAccessKey(db, actor, parsed.data).catch((e: unknown) => {
    if (e instanceof DomainError && e.code === "not_found") return null;
    throw e;
  });
  if (!key) notFound();
  const [products, events] = await Promise.all([productChoices(db, actor), apiAccessKeyActivity(db, actor, key)]);
  const names = new Map(products.map((p) => [p.id, p.name]));
  const removed = key.removedAt !== null;
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/api-keys", label: "API access keys" }} current={key.name} />
      <PageHeader
        title={key.name}
        description={removed ? <Badge tone="red" data-testid="removed-badge">Removed {formatDateTime(key.removedAt ?? new Date())}</Badge> : "Change its roles here. The name and the expiry cannot be changed."}
        actions={removed ? null : <RemoveKeyForm id={key.id} name={key.name} />}
      />
      <Card className="mb-8">
        <dl className="grid gap-4 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Name</dt>
            <dd className="break-words font-medium">{key.name}</dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Expires</dt>
            <dd>{formatDateTime(key.expiresAt)}</dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Created</dt>
            <dd>{formatDate(key.createdAt)}</dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Last used</dt>
            <dd>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</dd>
          </div>
          {removed ? (
            <div className="sm:col-span-2">
              <dt className="text-zinc-500 dark:text-zinc-400">Roles when removed</dt>
              <dd>{key.roles.map((g) => describeGrant(g, names)).join("; ")}</dd>
            </div>
          ) : null}
        </dl>
      </Card>
      {removed ? null : (
        <section aria-labelledby="roles-heading" className="mb-10">
          <h2 id="roles-heading" className="mb-4 text-lg font-semibold">
            Roles
          </h2>
          <EditKeyForm id={key.id} roles={key.roles.map(rowOf)} products={products} />
        </section>
      )}
      <section aria-labelledby="activity-heading">
        <h2 id="activity-heading" className="mb-1 text-lg font-semibold">
          Activity
        </h2>
        <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">What this key did, and when it was added, changed or removed; newest first.</p>
        {events.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">Nothing yet.</p>
        ) : (
          <Table caption="Activity of this key, newest first" columns={[{ label: "When" }, { label: "What" }, { label: "Subject" }, { label: "Comment" }]} className="min-w-[36rem]">
            {events.map((e) => {
              const href = subjectHref(e.subjectType, e.subjectId);
              return (
                <tr key={e.id} data-testid="api-key-event">
                  <td className="whitespace-nowrap py-2 pr-4 align-top">{formatDateTime(e.createdAt)}</td>
                  <td className="py-2 pr-4 align-top">
                    <span className="font-mono text-xs">{e.action}</span>
                    {e.byKey ? null : <span className="block text-xs text-zinc-500 dark:text-zinc-400">by an admin</span>}
                  </td>
                  <td className="py-2 pr-4 align-top">
                    <span className="text-zinc-500 dark:text-zinc-400">{e.subjectType}</span>{" "}
                    {href ? (
                      <Link href={href} className="break-all font-mono text-xs text-indigo-600 dark:text-indigo-400 hover:underline">
                        {e.subjectId}
                      </Link>
                    ) : (
                      <span className="break-all font-mono text-xs">{e.subjectId}</span>
                    )}
                  </td>
                  <td className="max-w-xs whitespace-pre-wrap break-words py-2 align-top">{e.comment ?? ""}</td>
                </tr>
              );
            })}
          </Table>
        )}
      </section>
    </>
  );
}
