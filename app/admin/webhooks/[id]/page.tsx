import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FilterActions, ResetFiltersHint, filterBarClass } from "@/components/ui/filter-bar";
import { PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { DomainError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";
import {
  DELIVERY_STATUSES,
  type DeliveryLogFilters,
  LOG_EVENT_TYPES,
  type WebhookDeliveryRow,
  deliveryLogFilters,
  getWebhookEndpoint,
  listWebhookDeliveries,
  productsSummary,
} from "@/lib/webhooks/queries";
import { EndpointActions } from "../endpoint-actions";
import { EndpointStatus } from "../endpoint-status";
import { RecoverForm, ResendButton } from "../message-actions";

export const metadata: Metadata = { title: "Webhook endpoint" };

const STATUS_TONE = { succeeded: "green", failed: "red", pending: "amber" } as const;
const STATUS_LABEL = { succeeded: "Succeeded", failed: "Failed", pending: "Pending" } as const;

function lastResult(d: WebhookDeliveryRow) {
  if (d.attempts === 0) return "Not attempted yet";
  return d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "No answer");
}

/** "2026-12-01T09:30" a day ago (UTC), the Recover field's starting point. */
const dayAgo = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 16);

export default async function WebhookEndpointPage({ params, searchParams }: PageProps<"/admin/webhooks/[id]">) {
  const { id } = await params;
  const actor = await requireRole(["admin"], `/admin/webhooks/${id}`);
  const endpoint = await getWebhookEndpoint(db, actor, id);
  if (!endpoint) notFound();
  const filters = deliveryLogFilters.parse(await searchParams);
  // A cursor from an old or edited URL starts the log again from the newest message.
  const log = await listWebhookDeliveries(db, actor, id, filters).catch((e: unknown) => {
    if (e instanceof DomainError && e.code === "invalid") return listWebhookDeliveries(db, actor, id, { ...filters, cursor: undefined });
    throw e;
  });
  const query = (f: DeliveryLogFilters) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) s.set(k, v);
    const text = s.toString();
    return text ? `?${text}` : "";
  };
  const base = `/admin/webhooks/${id}`;
  const messageHref = (d: WebhookDeliveryRow) => `${base}/messages/${d.id}`;
  const filtered = Boolean(filters.type || filters.status);

  return (
    <>
      <Breadcrumb parent={{ href: "/admin/webhooks", label: "Webhooks" }} current={endpoint.name} />
      <PageHeader
        title={endpoint.name}
        description={endpoint.description || undefined}
        actions={
          <Button asChild variant="secondary">
            <Link href={`${base}/edit`}>Edit</Link>
          </Button>
        }
      />
      <Card className="mb-6 space-y-4">
        <dl className="grid gap-4 text-sm sm:grid-cols-2">
          <div className="min-w-0 sm:col-span-2">
            <dt className="text-zinc-500 dark:text-zinc-400">URL</dt>
            <dd className="break-all font-mono text-xs" data-testid="endpoint-url">
              {endpoint.url}
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">State</dt>
            <dd>
              <EndpointStatus endpoint={endpoint} />
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Products</dt>
            <dd className="break-words">{productsSummary(endpoint.productNames)}</dd>
          </div>
          <div className="min-w-0 sm:col-span-2">
            <dt className="text-zinc-500 dark:text-zinc-400">Events</dt>
            <dd>
              {endpoint.eventTypes === null ? (
                "All events, including ones added later"
              ) : (
                <ul className="flex flex-wrap gap-1">
                  {endpoint.eventTypes.map((t) => (
                    <li key={t} title={WEBHOOK_EVENT_TYPES[t as keyof typeof WEBHOOK_EVENT_TYPES]}>
                      <Badge className="font-mono break-all">{t}</Badge>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Added</dt>
            <dd>
              {formatDateTime(endpoint.createdAt)}
              <Link href={`/admin/audit?subjectId=${endpoint.id}`} className="block text-xs text-indigo-600 dark:text-indigo-400 hover:underline">
                Who changed it: audit log
              </Link>
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Signing secret</dt>
            <dd>
              Shown once when added or rotated.
              {endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? (
                <span className="block text-xs text-zinc-600 dark:text-zinc-400" data-testid="previous-secret">
                  The previous secret also signs until {formatDateTime(endpoint.previousSecretExpiresAt)}.
                </span>
              ) : null}
            </dd>
          </div>
        </dl>
        <EndpointActions id={endpoint.id} name={endpoint.name} enabled={endpoint.enabled} />
      </Card>

      <section aria-labelledby="log-heading">
        <h2 id="log-heading" className="mb-1 text-lg font-semibold">
          Delivery log
        </h2>
        <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
          Every message to this endpoint in the last 30 days, newest first. A failed message is retried for about a day (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); open one to
          see its attempts and the JSON sent.
        </p>
        <form role="search" aria-label="Filter the delivery log" action={base} className={`mb-4 ${filterBarClass}`}>
          <div>
            <label htmlFor="log-type" className="text-sm font-medium">
              Event type
            </label>
            <Select id="log-type" name="type" defaultValue={filters.type ?? ""} className="mt-1 block font-normal">
              <option value="">Any</option>
              {LOG_EVENT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </div>
          <div>
            <label htmlFor="log-status" className="text-sm font-medium">
              Status
            </label>
            <Select id="log-status" name="status" defaultValue={filters.status ?? ""} className="mt-1 block font-normal">
              <option value="">Any</option>
              {DELIVERY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </Select>
          </div>
          <FilterActions resetHref={base} />
        </form>

        {log.items.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="log-empty">
            {filtered ? (
              <>
                No messages match. <ResetFiltersHint href={base} toSee="every message" />
              </>
            ) : (
              "No messages yet. Press Send test event to check the receiver."
            )}
          </p>
        ) : (
          <>
            <ul className="space-y-3 sm:hidden" aria-label="Messages, newest first">
              {log.items.map((d) => (
                <li key={d.id} data-testid="message-card" className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900">
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge tone={STATUS_TONE[d.status]}>{STATUS_LABEL[d.status]}</Badge>
                    <span className="break-all font-mono text-xs">{d.eventType}</span>
                  </div>
                  <Link href={messageHref(d)} className="block break-all font-mono text-xs text-indigo-600 dark:text-indigo-400 hover:underline">
                    {d.eventId}
                  </Link>
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"} · {lastResult(d)}
                    {d.lastAttemptAt ? ` · ${formatDateTime(d.lastAttemptAt)}` : ""}
                  </p>
                  <ResendButton id={id} deliveryId={d.id} eventId={d.eventId} waiting={d.status === "pending"} />
                </li>
              ))}
            </ul>
            <div className="hidden sm:block">
              <Table
                caption="Messages to this endpoint, newest first"
                columns={[{ label: "Event" }, { label: "Status" }, { label: "Attempts" }, { label: "Last result" }, { label: "Last attempt" }, { label: "Actions", srOnly: true }]}
                className="min-w-[48rem]"
              >
                {log.items.map((d) => (
                  <tr key={d.id} data-testid="message-row">
                    <td className="py-2 pr-4 align-top">
                      <span className="block font-mono text-xs">{d.eventType}</span>
                      <Link href={messageHref(d)} className="break-all font-mono text-xs text-indigo-600 dark:text-indigo-400 hover:underline">
                        {d.eventId}
                      </Link>
                    </td>
                    <td className="py-2 pr-4 align-top">
                      <Badge tone={STATUS_TONE[d.status]}>{STATUS_LABEL[d.status]}</Badge>
                    </td>
                    <td className="py-2 pr-4 align-top">{d.attempts}</td>
                    <td className="py-2 pr-4 align-top">{lastResult(d)}</td>
                    <td className="whitespace-nowrap py-2 pr-4 align-top">{d.lastAttemptAt ? formatDateTime(d.lastAttemptAt) : "—"}</td>
                    <td className="py-2 align-top"><ResendButton id={id} deliveryId={d.id} eventId={d.eventId} waiting={d.status === "pending"} /></td>
                  </tr>
                ))}
              </Table>
            </div>
          </>
        )}
        <nav aria-label="Log pages" className="mt-4 flex gap-4 text-sm">
          {filters.cursor ? (
            <Link href={`${base}${query({ ...filters, cursor: undefined })}`} className="text-indigo-600 dark:text-indigo-400 underline">
              Newest messages
            </Link>
          ) : null}
          {log.next ? (
            <Link href={`${base}${query({ ...filters, cursor: log.next })}`} className="text-indigo-600 dark:text-indigo-400 underline">
              Older messages
            </Link>
          ) : null}
        </nav>
      </section>

      <section aria-labelledby="recover-heading" className="mt-10">
        <h2 id="recover-heading" className="mb-1 text-lg font-semibold">
          Recover failed messages
        </h2>
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          After the receiver was down: every message that failed since the time you choose is attempted again at once, with its original webhook-id.
        </p>
        <RecoverForm id={id} defaultSince={dayAgo()} />
      </section>
    </>
  );
}
