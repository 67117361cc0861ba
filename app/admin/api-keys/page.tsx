import type { Metadata } from "next";
import { EmailText } from "@/components/email-text";
import { Link } from "@/components/ui/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { listApiAccessKeys } from "@/lib/api-access/manage";
import { describeGrant, productChoices } from "@/lib/api-access/queries";
import { requireRole } from "@/lib/auth/guards";
import { formatDate, formatDateTime } from "@/lib/format";
import { RemoveKeyForm } from "./remove-key-form";

export const metadata: Metadata = { title: "API access keys" };

export default async function ApiKeysPage() {
  const actor = await requireRole(["admin"], "/admin/api-keys");
  const [keys, products] = await Promise.all([listApiAccessKeys(db, actor), productChoices(db, actor)]);
  const names = new Map(products.map((p) => [p.id, p.name]));
  const now = new Date();
  return (
    <>
      <PageHeader
        title="API access keys"
        description="Keys other applications use to call Portico's REST API (/api/v1), each acting under its own roles."
        actions={
          <Button asChild>
            <Link href="/admin/api-keys/new">Add access key</Link>
          </Button>
        }
      />
      {keys.length === 0 ? (
        <EmptyState title="No API access keys yet">
          <p>
            An API access key lets a billing system, a CI job or a security tool call Portico&apos;s REST API: approve requests, publish products, revoke keys, read the audit log.
            Each key has its own roles and expiry, and everything it does is in the audit log under its name.
          </p>
          <p className="mt-3">
            <Link href="/admin/api-keys/new" className="text-indigo-600 dark:text-indigo-400 underline">
              Add the first access key
            </Link>
          </p>
        </EmptyState>
      ) : (
        <>
          {/* On a phone each key is a card (every fact and both buttons in view); the table from sm up. */}
          <ul className="space-y-3 sm:hidden" aria-label="API access keys, newest first">
            {keys.map((k) => (
              <li key={k.id} data-testid="api-key-card" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900">
                <Link href={`/admin/api-keys/${k.id}`} className="block break-words font-medium text-indigo-600 dark:text-indigo-400 hover:underline">
                  {k.name}
                </Link>
                <ul className="space-y-0.5">
                  {k.roles.map((g, i) => (
                    <li key={i}>{describeGrant(g, names)}</li>
                  ))}
                </ul>
                <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-zinc-600 dark:text-zinc-400">
                  <dt>Created</dt>
                  <dd>
                    {formatDate(k.createdAt)} by <EmailText text={k.createdBy} />
                  </dd>
                  <dt>Expires</dt>
                  <dd>
                    {formatDate(k.expiresAt)}
                    {k.expiresAt <= now ? " (expired)" : ""}
                  </dd>
                  <dt>Last used</dt>
                  <dd>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "Never"}</dd>
                </dl>
                <div className="flex flex-wrap items-start gap-2 pt-1">
                  <Button asChild size="sm" variant="secondary">
                    <Link href={`/admin/api-keys/${k.id}`} aria-label={`Edit ${k.name}`}>
                      Edit
                    </Link>
                  </Button>
                  <RemoveKeyForm id={k.id} name={k.name} />
                </div>
              </li>
            ))}
          </ul>
          <div className="hidden sm:block">
          <Table
            caption="API access keys, newest first"
            columns={[{ label: "Name" }, { label: "Roles" }, { label: "Created" }, { label: "Expires" }, { label: "Last used" }, { label: "Created by" }, { label: "Actions", srOnly: true }]}
            className="min-w-[52rem]"
          >
            {keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row">
                <td className="py-2 pr-4 align-top font-medium">
                  <Link href={`/admin/api-keys/${k.id}`} className="break-words text-indigo-600 dark:text-indigo-400 hover:underline">
                    {k.name}
                  </Link>
                </td>
                <td className="py-2 pr-4 align-top">
                  <ul className="space-y-1">
                    {k.roles.map((g, i) => (
                      <li key={i}>{describeGrant(g, names)}</li>
                    ))}
                  </ul>
                </td>
                <td className="whitespace-nowrap py-2 pr-4 align-top">{formatDate(k.createdAt)}</td>
                <td className="whitespace-nowrap py-2 pr-4 align-top">
                  {formatDate(k.expiresAt)}
                  {k.expiresAt <= now ? <span className="block text-xs text-red-600 dark:text-red-400">Expired</span> : null}
                </td>
                <td className="whitespace-nowrap py-2 pr-4 align-top">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "Never"}</td>
                <td className="py-2 pr-4 align-top">{k.createdBy}</td>
                <td className="py-2 align-top">
                  <div className="flex flex-wrap items-start gap-2">
                    <Button asChild size="sm" variant="secondary">
                      <Link href={`/admin/api-keys/${k.id}`} aria-label={`Edit ${k.name}`}>
                        Edit
                      </Link>
                    </Button>
                    <RemoveKeyForm id={k.id} name={k.name} />
                  </div>
                </td>
              </tr>
            ))}
          </Table>
          </div>
        </>
      )}
    </>
  );
}
