import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";
import { type WebhookEndpointRow, eventsSummary, listWebhookEndpoints, productsSummary } from "@/lib/webhooks/queries";
import { EndpointStatus, attemptOutcome } from "./endpoint-status";

export const metadata: Metadata = { title: "Webhooks" };

function LastAttempt({ e }: { e: WebhookEndpointRow }) {
  if (!e.lastAttempt) return <span className="text-zinc-500 dark:text-zinc-400">Never</span>;
  return (
    <span>
      <Badge tone={e.lastAttempt.succeeded ? "green" : "red"}>{attemptOutcome(e.lastAttempt)}</Badge>
      <span className="block text-xs text-zinc-500 dark:text-zinc-400">{formatDateTime(e.lastAttempt.at)}</span>
    </span>
  );
}

function Last24h({ e }: { e: WebhookEndpointRow }) {
  const { succeeded, failed, pending } = e.last24h;
  return (
    <span className="text-xs" data-testid="last-24h">
      {succeeded} succeeded · <span className={failed ? "font-medium text-red-700 dark:text-red-400" : ""}>{failed} failed</span> · {pending} pending
    </span>
  );
}

export default async function WebhooksPage({ searchParams }: PageProps<"/admin/webhooks">) {
  const actor = await requireRole(["admin"], "/admin/webhooks");
  const removed = (await searchParams).removed === "1";
  const endpoints = await listWebhookEndpoints(db, actor);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints Portico posts lifecycle events to (requests, keys, products), signed per Standard Webhooks and retried for up to a day."
        actions={
          <Button asChild>
            <Link href="/admin/webhooks/new">Add endpoint</Link>
          </Button>
        }
      />
      {removed ? (
        <p role="status" className="mb-4 text-sm text-emerald-700 dark:text-emerald-400">
          The endpoint was removed. No more events are sent to it.
        </p>
      ) : null}
      {endpoints.length === 0 ? (
        <EmptyState title="No webhook endpoints yet">
          <p>
            A webhook tells another system the moment something happens in Portico: a billing system learns of a new request for a paid plan, a provisioning system that access
            was granted, a SIEM of every revocation. Portico posts a signed JSON message to the endpoint&apos;s URL for each event it subscribes to, and retries until it is
            received.
          </p>
          <p className="mt-3">
            <Link href="/admin/webhooks/new" className="text-indigo-600 dark:text-indigo-400 underline">
              Add the first endpoint
            </Link>
          </p>
        </EmptyState>
      ) : (
        <>
          {/* On a phone each endpoint is a card; the table from sm up. */}
          <ul className="space-y-3 sm:hidden" aria-label="Webhook endpoints">
            {endpoints.map((e) => (
              <li key={e.id} data-testid="endpoint-card" className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900">
                <Link href={`/admin/webhooks/${e.id}`} className="block break-words font-medium text-indigo-600 dark:text-indigo-400 hover:underline">
                  {e.name}
                </Link>
                <p className="break-all font-mono text-xs text-zinc-600 dark:text-zinc-400">{e.url}</p>
                <EndpointStatus endpoint={e} />
                <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-zinc-600 dark:text-zinc-400">
                  <dt>Events</dt>
                  <dd className="min-w-0 break-words">{eventsSummary(e.eventTypes)}</dd>
                  <dt>Products</dt>
                  <dd className="min-w-0 break-words">{productsSummary(e.productNames)}</dd>
                  <dt>Last attempt</dt>
                  <dd>
                    <LastAttempt e={e} />
                  </dd>
                  <dt>Last 24 h</dt>
                  <dd>
                    <Last24h e={e} />
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
          <div className="hidden sm:block">
            <Table
              caption="Webhook endpoints"
              columns={[{ label: "Endpoint" }, { label: "Events" }, { label: "Products" }, { label: "State" }, { label: "Last attempt" }, { label: "Last 24 h" }]}
              className="min-w-[52rem]"
            >
              {endpoints.map((e) => (
                <tr key={e.id} data-testid="endpoint-row">
                  <td className="max-w-xs py-2 pr-4 align-top">
                    <Link href={`/admin/webhooks/${e.id}`} className="break-words font-medium text-indigo-600 dark:text-indigo-400 hover:underline">
                      {e.name}
                    </Link>
                    <span className="block break-all font-mono text-xs text-zinc-500 dark:text-zinc-400">{e.url}</span>
                  </td>
                  <td className="py-2 pr-4 align-top">{eventsSummary(e.eventTypes)}</td>
                  <td className="max-w-48 py-2 pr-4 align-top break-words">{productsSummary(e.productNames)}</td>
                  <td className="max-w-56 py-2 pr-4 align-top">
                    <EndpointStatus endpoint={e} />
                  </td>
                  <td className="whitespace-nowrap py-2 pr-4 align-top">
                    <LastAttempt e={e} />
                  </td>
                  <td className="py-2 align-top">
                    <Last24h e={e} />
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
