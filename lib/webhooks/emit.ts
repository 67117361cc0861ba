import { and, eq, sql } from "drizzle-orm";
import { nanoid } from "nanoid";
import type { Queryable } from "@/db/connect";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { batches } from "@/lib/batches";
import { addJobs } from "@/lib/jobs/add-jobs";
import { EVENT_FOR_AUDIT_ACTION, type WebhookEventType } from "./event-types";
import { actorFacts, keyFacts, oauthClientFacts, productFacts, requestFacts } from "./payload";

export const DELIVER_WEBHOOK_TASK = "deliver-webhook";

/** Something that happened, about one request, key, OAuth client or product. */
export type WebhookOccurrence = {
  type: WebhookEventType;
  subjectType: "request" | "key" | "oauth_client" | "product";
  subjectId: string;
  actor?: { type: string; id: string | null };
  /** Facts beyond the subject's own (a denial's comment). Never a secret. */
  extra?: Record<string, unknown>;
  /** A part revocation: the products it revoked (a subset of the request's). */
  revokedProductIds?: readonly string[];
};

type AuditLike = {
  action: string;
  subjectType: string;
  subjectId: string;
  actorId: string | null;
  actorType?: string | null;
  comment?: string | null;
  data?: Record<string, unknown>;
};

const stringList = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);

/** The webhook events an audit trail's new entries are (lib/audit/record-event.ts calls this). */
export function occurrencesForAudit(events: readonly AuditLike[]): WebhookOccurrence[] {
  return events.flatMap((e) => {
    const type = EVENT_FOR_AUDIT_ACTION[e.action];
    if (!type || (e.subjectType !== "request" && e.subjectType !== "key" && e.subjectType !== "product")) return [];
    // The audit trail files OAuth clients under "key" (lib/oauth/client-lifecycle.ts); their events describe a client.
    const subjectType = e.action.startsWith("oauth_client.") ? ("oauth_client" as const) : e.subjectType;
    const extra = e.comment ? { comment: e.comment } : undefined;
    const revokedProductIds = type === "access_request.part_revoked" ? (stringList(e.data?.productIds) ?? []) : undefined;
    return [{ type, subjectType, subjectId: e.subjectId, actor: { type: e.actorType ?? "user", id: e.actorId }, extra, revokedProductIds }];
  });
}

export const newEventId = () => `msg_${nanoid(24)}`;

/**
 * Records the events and one delivery per subscribed, enabled endpoint on the caller's
 * transaction, with their jobs: they exist exactly when the change that caused them commits.
 * With no endpoint subscribed it costs one indexed query and writes nothing.
 */
export async function emitWebhookEvents(tx: Queryable, occurrences: readonly WebhookOccurrence[], now = new Date()) {
  if (occurrences.length === 0) return [];
  const types = [...new Set(occurrences.map((o) => o.type))];
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes, productIds: webhookEndpoints.productIds })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.enabled, true),
        sql`(${webhookEndpoints.eventTypes} is null or ${webhookEndpoints.eventTypes} ?| array[${sql.join(
          types.map((t) => sql`${t}`),
          sql`, `,
        )}]::text[])`,
      ),
    );
  if (endpoints.length === 0) return [];

  const keys = await keyFacts(tx, occurrences.filter((o) => o.subjectType === "key").map((o) => o.subjectId));
  const clients = await oauthClientFacts(tx, occurrences.filter((o) => o.subjectType === "oauth_client").map((o) => o.subjectId));
  const requests = await requestFacts(tx, [
    ...occurrences.filter((o) => o.subjectType === "request").map((o) => o.subjectId),
    ...[...keys.values()].map((k) => k.requestId),
    ...[...clients.values()].map((c) => c.requestId),
  ]);
  const productsById = await productFacts(tx, occurrences.filter((o) => o.subjectType === "product").map((o) => o.subjectId));
  const actorOf = await actorFacts(tx, occurrences.flatMap((o) => (o.actor ? [o.actor] : [])));

  const events: { id: string; type: string; body: string; createdAt: Date }[] = [];
  const deliveries: { eventId: string; endpointId: string; eventType: string; createdAt: Date; nextAttemptAt: Date }[] = [];
  for (const o of occurrences) {
    let data: Record<string, unknown>;
    let productIds: string[];
    if (o.subjectType === "product") {
      const product = productsById.get(o.subjectId);
      if (!product) continue;
      data = { product };
      productIds = [product.id];
    } else if (o.subjectType === "oauth_client") {
      const client = clients.get(o.subjectId);
      const facts = client ? requests.get(client.requestId) : undefined;
      if (!client || !facts) continue;
      const { requestId: _requestId, ...clientData } = client;
      data = { client: clientData, ...facts };
      productIds = facts.products.map((p) => p.id);
    } else {
      const key = o.subjectType === "key" ? keys.get(o.subjectId) : undefined;
      const facts = requests.get(key ? key.requestId : o.subjectId);
      if (!facts || (o.subjectType === "key" && !key)) continue;
      const { requestId: _requestId, ...keyData } = key ?? { requestId: "" };
      data = key ? { key: keyData, ...facts } : { ...facts };
      productIds = facts.products.map((p) => p.id);
      if (o.revokedProductIds) {
        const revoked = new Set(o.revokedProductIds);
        data.revokedProducts = facts.products.filter((p) => revoked.has(p.id)).map(({ id, slug, name }) => ({ id, slug, name }));
      }
    }
    if (o.actor) data.actor = actorOf(o.actor);
    if (o.extra) Object.assign(data, o.extra);
    const targets = endpoints.filter(
      (e) => (e.eventTypes === null || e.eventTypes.includes(o.type)) && (e.productIds === null || e.productIds.some((p) => productIds.includes(p))),
    );
    if (targets.length === 0) continue;
    const id = newEventId();
    events.push({ id, type: o.type, body: JSON.stringify({ id, type: o.type, timestamp: now.toISOString(), data }), createdAt: now });
    for (const t of targets) deliveries.push({ eventId: id, endpointId: t.id, eventType: o.type, createdAt: now, nextAttemptAt: now });
  }
  if (events.length === 0) return [];
  for (const part of batches(events)) await tx.insert(webhookEvents).values(part);
  for (const part of batches(deliveries)) {
    const rows = await tx.insert(webhookDeliveries).values(part).returning({ id: webhookDeliveries.id });
    await enqueueDeliveries(tx, rows.map((r) => r.id));
  }
  return events.map((e) => e.id);
}

/**
 * Webhook jobs run after every other due job (graphile-worker runs lower numbers first; emails and
 * crons have 0): an attempt can hold a slot for its whole timeout, and a backlog for a receiver
 * that never answers must not keep sign-in and claim-link emails waiting behind it.
 */
const WEBHOOK_JOB_PRIORITY = 10;

/** One job per delivery (keyed by it, so a re-enqueue replaces a waiting job instead of doubling it). */
export async function enqueueDeliveries(tx: Queryable, deliveryIds: readonly string[], runAt?: Date) {
  await addJobs(tx, deliveryIds, { task: DELIVER_WEBHOOK_TASK, payloadKey: "deliveryId", keyPrefix: "webhook:", maxAttempts: 5, priority: WEBHOOK_JOB_PRIORITY, runAt });
}
