import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";
import { getWebhookEndpoint, getWebhookMessage } from "@/lib/webhooks/queries";
import { ResendButton } from "../../../message-actions";

export const metadata: Metadata = { title: "Webhook message" };

const STATUS_TONE = { succeeded: "green", failed: "red", pending: "amber" } as const;
const STATUS_LABEL = { succeeded: "Succeeded", failed: "Failed", pending: "Pending" } as const;

/** The body as sent, indented for reading (it is kept as the exact signed text). */
function pretty(body: string) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export default async function WebhookMessagePage({ params }: PageProps<"/admin/webhooks/[id]/messages/[deliveryId]">) {
  const { id, deliveryId } = await params;
  const actor = await requireRole(["admin"], `/admin/webhooks/${id}/messages/${deliveryId}`);
  const [endpoint, message] = await Promise.all([getWebhookEndpoint(db, actor, id), getWebhookMessage(db, actor, id, deliveryId)]);
  if (!endpoint || !message) notFound();
  return (
    <>
      <Breadcrumb parent={{ href: `/admin/webhooks/${id}`, label: endpoint.name }} current={message.eventId} />
      <PageHeader
        title={message.eventType}
        description={<span className="break-all font-mono text-sm">webhook-id {message.eventId}</span>}
        actions={<ResendButton id={id} deliveryId={message.id} eventId={message.eventId} waiting={message.status === "pending"} />}
      />
      <Card className="mb-6">
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Status</dt>
            <dd>
              <Badge tone={STATUS_TONE[message.status]} data-testid="message-status">
                {STATUS_LABEL[message.status]}
              </Badge>
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">Created</dt>
            <dd>{formatDateTime(message.createdAt)}</dd>
          </div>
          <div>
            <dt className="text-zinc-500 dark:text-zinc-400">{message.status === "pending" ? "Next attempt" : "Attempts"}</dt>
            <dd>{message.status === "pending" ? formatDateTime(message.nextAttemptAt) : message.attempts}</dd>
          </div>
        </dl>
      </Card>

      <section aria-labelledby="attempts-heading" className="mb-8">
        <h2 id="attempts-heading" className="mb-3 text-lg font-semibold">
          Attempts
        </h2>
        {message.attemptsList.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Not attempted yet: the first attempt is due {formatDateTime(message.nextAttemptAt)}.</p>
        ) : (
          <ol className="space-y-3">
            {message.attemptsList.map((a, i) => (
              <li key={a.id} data-testid="attempt" className="min-w-0 space-y-2 rounded-lg border border-zinc-200 p-4 text-sm dark:border-zinc-800">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                  <span className="font-medium">Attempt {i + 1}</span>
                  <Badge tone={a.succeeded ? "green" : "red"} data-testid="attempt-result">
                    {a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? "No answer")}
                  </Badge>
                  <span className="text-zinc-600 dark:text-zinc-400">{formatDateTime(a.attemptedAt)}</span>
                  <span className="text-zinc-600 dark:text-zinc-400">{a.durationMs} ms</span>
                </div>
                {a.error && a.statusCode !== null ? <p className="text-red-700 dark:text-red-300">{a.error}</p> : null}
                <div>
                  <p className="text-xs text-zinc-500 dark:text-zinc-400">Response (first 4 KB)</p>
                  {a.responseBody ? (
                    <pre tabIndex={0} aria-label={`Response to attempt ${i + 1}`} className="mt-1 max-h-48 overflow-auto rounded bg-zinc-50 p-2 text-xs whitespace-pre-wrap break-all dark:bg-zinc-950" data-testid="attempt-response">
                      {a.responseBody}
                    </pre>
                  ) : (
                    <p className="text-xs text-zinc-600 dark:text-zinc-400">(empty)</p>
                  )}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="body-heading">
        <h2 id="body-heading" className="mb-1 text-lg font-semibold">
          Message body
        </h2>
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">The JSON that was signed and sent (shown indented). It never carries a key, a claim link or a token.</p>
        <pre tabIndex={0} aria-label="Message body" className="max-h-[32rem] overflow-auto rounded-lg bg-zinc-50 p-4 text-xs whitespace-pre-wrap break-all dark:bg-zinc-950" data-testid="message-body">
          {pretty(message.body)}
        </pre>
      </section>
    </>
  );
}
