import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { products, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { type Cursor, page } from "@/lib/api/cursor";
import { decodeKeyset } from "@/lib/api/keyset";
import type { Actor } from "@/lib/auth/permissions";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, isWebhookEventType } from "./event-types";
import { assertManagesWebhooks } from "./manage";

export const DELIVERY_STATUSES = ["succeeded", "failed", "pending"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const LOG_PAGE = 50;

/** Every type a log row can have: the lifecycle events and the test event. */
export const LOG_EVENT_TYPES = [...Object.keys(WEBHOOK_EVENT_TYPES), TEST_EVENT_TYPE];
const isLogEventType = (t: string) => isWebhookEventType(t) || t === TEST_EVENT_TYPE;

/** Endpoint and message ids are UUIDs; anything else finds nothing (and never reaches SQL). */
export const webhookIdSchema = z.guid();

/** The delivery log's filters, from the URL. Anything unreadable is ignored. */
export const deliveryLogFilters = z.object({
  type: z.string().max(100).refine(isLogEventType).optional().catch(undefined),
  status: z.enum(DELIVERY_STATUSES).optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
});
export type DeliveryLogFilters = z.output<typeof deliveryLogFilters>;

// What pages may see of an endpoint: never the sealed secret columns.
const endpointColumns = {
  id: webhookEndpoints.id,
  name: webhookEndpoints.name,
  description: webhookEndpoints.description,
  url: webhookEndpoints.url,
  eventTypes: webhookEndpoints.eventTypes,
  productIds: webhookEndpoints.productIds,
  enabled: webhookEndpoints.enabled,
  disabledReason: webhookEndpoints.disabledReason,
  failingSince: webhookEndpoints.failingSince,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
};

type LastAttempt = { at: Date; statusCode: number | null; succeeded: boolean; error: string | null };

async function productNames(db: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db.select({ id: products.id, name: products.name }).from(products).where(inArray(products.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** "All events", "key.created", "access_request.created, key.created" or "5 events". */
export function eventsSummary(types: readonly string[] | null) {
  if (types === null) return "All events";
  if (types.length <= 2) return types.join(", ");
  return `${types.length} events`;
}

/** "All products", or the names of the chosen ones (a product deleted since is said so). */
export function productsSummary(names: readonly string[] | null) {
  return names === null ? "All products" : names.join(", ");
}

/** Every endpoint with its health: the last attempt and the messages of the last 24 hours by status. */
export async function listWebhookEndpoints(db: Queryable, actor: Actor) {
  assertManagesWebhooks(actor);
  const rows = await db
    .select({
      ...endpointColumns,
      // Qualified by hand: drizzle leaves a one-table select's columns bare, which the subquery's
      // own columns would shadow. The newest attempt, through webhook_attempts_endpoint_idx (one row per endpoint).
      lastAttempt: sql<{ at: string; statusCode: number | null; succeeded: boolean; error: string | null } | null>`(
        select json_build_object('at', a.attempted_at, 'statusCode', a.status_code, 'succeeded', a.succeeded, 'error', a.error)
        from ${webhookAttempts} a where a.endpoint_id = webhook_endpoints.id order by a.attempted_at desc limit 1)`,
      last24h: sql<{ succeeded: number; failed: number; pending: number }>`(
        select json_build_object(
          'succeeded', count(*) filter (where d.status = 'succeeded'),
          'failed', count(*) filter (where d.status = 'failed'),
          'pending', count(*) filter (where d.status = 'pending'))
        from ${webhookDeliveries} d where d.endpoint_id = webhook_endpoints.id and d.created_at > now() - interval '24 hours')`,
    })
    .from(webhookEndpoints)
    .orderBy(asc(sql`lower(${webhookEndpoints.name})`), asc(webhookEndpoints.id));
  const names = await productNames(db, rows.flatMap((r) => r.productIds ?? []));
  return rows.map(({ lastAttempt, ...r }) => ({
    ...r,
    productNames: r.productIds?.map((id) => names.get(id) ?? "a deleted product") ?? null,
    lastAttempt: lastAttempt ? ({ ...lastAttempt, at: new Date(lastAttempt.at) } satisfies LastAttempt) : null,
  }));
}
export type WebhookEndpointRow = Awaited<ReturnType<typeof listWebhookEndpoints>>[number];

/** One endpoint for its page (no secret), or null when there is none with this id. */
export async function getWebhookEndpoint(db: Queryable, actor: Actor, id: string) {
  assertManagesWebhooks(actor);
  if (!webhookIdSchema.safeParse(id).success) return null;
  const [row] = await db.select(endpointColumns).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!row) return null;
  const names = await productNames(db, row.productIds ?? []);
  return { ...row, productNames: row.productIds?.map((pid) => names.get(pid) ?? "a deleted product") ?? null };
}
export type WebhookEndpointDetail = NonNullable<Awaited<ReturnType<typeof getWebhookEndpoint>>>;

/** What the log and the message page show of a delivery. */
const deliveryColumns = {
  eventId: webhookDeliveries.eventId,
  eventType: webhookDeliveries.eventType,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  createdAt: webhookDeliveries.createdAt,
};

/**
 * The delivery log of one endpoint: one row per message, newest first, filtered by event type and
 * status, keyset-paged on (created_at, id) through webhook_deliveries_endpoint_idx. A cursor this
 * page did not give is refused (DomainError "invalid").
 */
export async function listWebhookDeliveries(db: Queryable, actor: Actor, endpointId: string, filters: DeliveryLogFilters, limit = LOG_PAGE) {
  assertManagesWebhooks(actor);
  const after = decodeKeyset(filters.cursor, "time", "text");
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      ...deliveryColumns,
      // the exact timestamp (microseconds) for the cursor; a Date keeps only milliseconds
      at: sql<string>`${webhookDeliveries.createdAt}::text`,
      lastError: sql<string | null>`(select a.error from ${webhookAttempts} a where a.delivery_id = webhook_deliveries.id order by a.attempted_at desc, a.id desc limit 1)`,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        filters.type ? eq(webhookDeliveries.eventType, filters.type) : undefined,
        filters.status ? eq(webhookDeliveries.status, filters.status) : undefined,
        after ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${after.v}::timestamptz, ${after.id})` : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const result = page(rows, limit, (r): Cursor => ({ v: r.at, id: r.id }));
  return { items: result.items.map(({ at: _at, ...r }) => r), next: result.next };
}
export type WebhookDeliveryRow = Awaited<ReturnType<typeof listWebhookDeliveries>>["items"][number];

/**
 * One message of an endpoint's log: its delivery state, the JSON that was sent (it never holds a
 * secret) and every attempt, oldest first. Null when this endpoint has no such message.
 */
export async function getWebhookMessage(db: Queryable, actor: Actor, endpointId: string, deliveryId: string) {
  assertManagesWebhooks(actor);
  if (!webhookIdSchema.safeParse(endpointId).success || !webhookIdSchema.safeParse(deliveryId).success) return null;
  const [row] = await db
    .select({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      ...deliveryColumns,
      body: webhookEvents.body,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
  if (!row) return null;
  const attempts = await db
    .select({
      id: webhookAttempts.id,
      attemptedAt: webhookAttempts.attemptedAt,
      statusCode: webhookAttempts.statusCode,
      succeeded: webhookAttempts.succeeded,
      error: webhookAttempts.error,
      durationMs: webhookAttempts.durationMs,
      responseBody: webhookAttempts.responseBody,
    })
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(asc(webhookAttempts.attemptedAt), asc(webhookAttempts.id));
  return { ...row, attemptsList: attempts };
}
export type WebhookMessage = NonNullable<Awaited<ReturnType<typeof getWebhookMessage>>>;

/** The products an endpoint can be limited to, by name (drafts too). */
export async function webhookProductChoices(db: Queryable, actor: Actor) {
  assertManagesWebhooks(actor);
  return db.select({ id: products.id, name: products.name, status: products.status }).from(products).orderBy(asc(products.name), asc(products.id));
}
export type WebhookProductChoice = Awaited<ReturnType<typeof webhookProductChoices>>[number];

