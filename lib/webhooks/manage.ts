import { and, eq, getTableColumns, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { products, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import type { Actor } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { enqueueDeliveries, newEventId } from "./emit";
import { type EndpointInput, endpointInput } from "./endpoint-schema";
import { TEST_EVENT_TYPE } from "./event-types";
import { PREVIOUS_SECRET_HOURS } from "./schedule";
import { newWebhookSecret, sealSecret } from "./secret";
import { type TargetPolicy, targetPolicy, targetProblem } from "./targets";

/** Only admins (people, signed in) see or change webhook endpoints; API keys cannot. */
export function assertManagesWebhooks(actor: Actor) {
  if (actor.kind !== "user" || actor.disabled || actor.role !== "admin") {
    throw new DomainError("forbidden", "Only an admin can manage webhooks.");
  }
}

/**
 * The URL as the audit log keeps it: its origin only. Receivers' URLs often carry a credential in
 * the path or query (chat and automation services' incoming-webhook URLs are secrets), and the
 * audit log is read more widely than webhooks are managed (a Portal viewer API key reads it).
 */
export function urlForAudit(url: string) {
  try {
    const u = new URL(url);
    return u.pathname === "/" && !u.search ? u.origin : `${u.origin}/…`;
  } catch {
    return "(invalid URL)";
  }
}

export const NAME_TAKEN = "A webhook endpoint with this name exists (names are unique ignoring case).";
const endpointNotFound = () => notFound("This webhook endpoint");

// What these functions hand back: never the sealed secrets, so a page or action passing an endpoint
// on to the browser cannot ship them (the plaintext secret is returned apart, once).
const { secret: _secret, previousSecret: _previousSecret, ...endpointColumns } = getTableColumns(webhookEndpoints);

/** The form shows one error per field: an error about one chosen product (productIds.3) is the productIds field's. */
function perField(errors: Record<string, string>) {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) out[key.split(".")[0] || key] ??= message;
  return out;
}

async function parseEndpoint(db: Database, input: EndpointInput, policy: TargetPolicy) {
  const parsed = endpointInput.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", perField(fieldErrorsOf(parsed.error)));
  const v = parsed.data;
  const problem = await targetProblem(v.url, policy);
  if (problem) throw new DomainError("invalid", "Check the highlighted fields.", { url: problem });
  if (v.productIds !== "all") {
    const ids = [...new Set(v.productIds)];
    const found = await db.select({ id: products.id }).from(products).where(inArray(products.id, ids));
    if (found.length !== ids.length) throw new DomainError("invalid", "Check the highlighted fields.", { productIds: "A chosen product does not exist any more; choose again." });
  }
  return {
    name: v.name,
    description: v.description,
    url: v.url,
    eventTypes: v.eventTypes === "all" ? null : [...new Set(v.eventTypes)],
    productIds: v.productIds === "all" ? null : [...new Set(v.productIds)],
    enabled: v.enabled,
  };
}

/** Adds an endpoint; its signing secret is returned to be shown once (it is kept sealed). */
export async function createWebhookEndpoint(db: Database, actor: Actor, input: EndpointInput, policy = targetPolicy()) {
  assertManagesWebhooks(actor);
  const values = await parseEndpoint(db, input, policy);
  const secret = newWebhookSecret();
  try {
    return await db.transaction(async (tx) => {
      const [endpoint] = await tx
        .insert(webhookEndpoints)
        .values({ ...values, disabledReason: values.enabled ? null : "admin", secret: await sealSecret(secret), createdById: actor.id })
        .returning(endpointColumns);
      if (!endpoint) throw new Error("webhook endpoint insert returned nothing");
      await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.created", subjectType: "webhook_endpoint", subjectId: endpoint.id, data: { name: values.name, url: urlForAudit(values.url), eventTypes: values.eventTypes, productIds: values.productIds } });
      return { endpoint, secret };
    });
  } catch (e) {
    if (isUniqueViolation(e, "webhook_endpoints_name_key")) throw new DomainError("invalid", "Check the highlighted fields.", { name: NAME_TAKEN });
    throw e;
  }
}

/** Changes an endpoint's name, description, URL, events, products or enabled state. */
export async function updateWebhookEndpoint(db: Database, actor: Actor, id: string, input: EndpointInput, policy = targetPolicy()) {
  assertManagesWebhooks(actor);
  const values = await parseEndpoint(db, input, policy);
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for("update");
      if (!before) throw endpointNotFound();
      const enabling = values.enabled && !before.enabled;
      const [endpoint] = await tx
        .update(webhookEndpoints)
        .set({
          ...values,
          disabledReason: values.enabled ? null : before.enabled ? "admin" : before.disabledReason,
          // enabled again: the failure streak starts afresh
          ...(enabling ? { failingSince: null, failureWarnedAt: null } : {}),
          updatedAt: new Date(),
        })
        .where(eq(webhookEndpoints.id, id))
        .returning(endpointColumns);
      if (!endpoint) throw endpointNotFound();
      await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.updated", subjectType: "webhook_endpoint", subjectId: id, data: { name: values.name, url: urlForAudit(values.url), eventTypes: values.eventTypes, productIds: values.productIds, enabled: values.enabled } });
      return endpoint;
    });
  } catch (e) {
    if (isUniqueViolation(e, "webhook_endpoints_name_key")) throw new DomainError("invalid", "Check the highlighted fields.", { name: NAME_TAKEN });
    throw e;
  }
}

/** Enables or disables an endpoint (a disabled endpoint's pending messages fail when their attempt comes). */
export async function setWebhookEndpointEnabled(db: Database, actor: Actor, id: string, enabled: boolean) {
  assertManagesWebhooks(actor);
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ enabled, disabledReason: enabled ? null : "admin", ...(enabled ? { failingSince: null, failureWarnedAt: null } : {}), updatedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.enabled, !enabled)))
      .returning(endpointColumns);
    if (!endpoint) {
      const [exists] = await tx.select({ enabled: webhookEndpoints.enabled }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
      if (!exists) throw endpointNotFound();
      throw new DomainError("conflict", `This endpoint is already ${enabled ? "enabled" : "disabled"}. Reload the page to see its state.`);
    }
    await recordEvent(tx, { actorId: actor.id, action: enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled", subjectType: "webhook_endpoint", subjectId: id, data: { reason: "admin" } });
    return endpoint;
  });
}

/**
 * A new signing secret, returned to be shown once. The one it replaces keeps signing beside it for
 * 24 hours (both signatures are sent), so receivers can switch without losing a message.
 */
export async function rotateWebhookSecret(db: Database, actor: Actor, id: string, now = new Date()) {
  assertManagesWebhooks(actor);
  const secret = newWebhookSecret();
  const sealed = await sealSecret(secret);
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({
        previousSecret: sql`${webhookEndpoints.secret}`,
        previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_HOURS * 3_600_000),
        secret: sealed,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, id))
      .returning(endpointColumns);
    if (!endpoint) throw endpointNotFound();
    await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.secret_rotated", subjectType: "webhook_endpoint", subjectId: id, data: { previousValidUntil: endpoint.previousSecretExpiresAt?.toISOString() } });
    return { endpoint, secret };
  });
}

/** Removes an endpoint and its delivery log; plans that handed approval to it fall back to manual approval. */
export async function removeWebhookEndpoint(db: Database, actor: Actor, id: string) {
  assertManagesWebhooks(actor);
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id, name: webhookEndpoints.name, url: webhookEndpoints.url });
    if (!endpoint) throw endpointNotFound();
    await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.removed", subjectType: "webhook_endpoint", subjectId: id, data: { name: endpoint.name, url: urlForAudit(endpoint.url) } });
    return endpoint;
  });
}

/** Send test event: a `webhook.test` message to this endpoint only, through the same queue and log. */
export async function sendTestEvent(db: Database, actor: Actor, id: string, now = new Date()) {
  assertManagesWebhooks(actor);
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.select({ id: webhookEndpoints.id, name: webhookEndpoints.name, enabled: webhookEndpoints.enabled }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    if (!endpoint) throw endpointNotFound();
    if (!endpoint.enabled) throw new DomainError("conflict", "This endpoint is disabled: enable it, then send a test event.");
    const eventId = newEventId();
    const body = JSON.stringify({ id: eventId, type: TEST_EVENT_TYPE, timestamp: now.toISOString(), data: { endpoint: { id: endpoint.id, name: endpoint.name }, message: "A test event sent from Portico's admin portal." } });
    await tx.insert(webhookEvents).values({ id: eventId, type: TEST_EVENT_TYPE, body, createdAt: now });
    const [delivery] = await tx.insert(webhookDeliveries).values({ eventId, endpointId: id, eventType: TEST_EVENT_TYPE, createdAt: now, nextAttemptAt: now }).returning({ id: webhookDeliveries.id });
    if (!delivery) throw new Error("webhook delivery insert returned nothing");
    await enqueueDeliveries(tx, [delivery.id]);
    await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.test_sent", subjectType: "webhook_endpoint", subjectId: id, data: { eventId } });
    return { eventId, deliveryId: delivery.id };
  });
}

/** Resend: the message is attempted again at once (same webhook-id), then on the schedule from the start. */
export async function resendDelivery(db: Database, actor: Actor, deliveryId: string) {
  assertManagesWebhooks(actor);
  return db.transaction(async (tx) => {
    const [delivery] = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", step: 0, nextAttemptAt: sql`now()`, leaseUntil: null })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          sql`${webhookDeliveries.status} <> 'pending'`,
          sql`exists (select 1 from ${webhookEndpoints} where ${webhookEndpoints.id} = ${webhookDeliveries.endpointId} and ${webhookEndpoints.enabled})`,
        ),
      )
      .returning();
    if (!delivery) {
      const [found] = await tx
        .select({ status: webhookDeliveries.status, enabled: webhookEndpoints.enabled })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(eq(webhookDeliveries.id, deliveryId));
      if (!found) throw notFound("This message");
      if (!found.enabled) throw new DomainError("conflict", "This endpoint is disabled: enable it, then resend.");
      throw new DomainError("conflict", "This message is already waiting to be sent. Reload the log to see its attempts.");
    }
    await enqueueDeliveries(tx, [delivery.id]);
    await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.message_resent", subjectType: "webhook_endpoint", subjectId: delivery.endpointId, data: { eventId: delivery.eventId, deliveryId } });
    return delivery;
  });
}

/** Recover: every failed message to this endpoint since `since` is attempted again. */
export async function recoverFailedDeliveries(db: Database, actor: Actor, id: string, since: Date) {
  assertManagesWebhooks(actor);
  if (Number.isNaN(since.getTime()) || since.getUTCFullYear() < 1) throw new DomainError("invalid", "Check the highlighted fields.", { since: "Enter a date and time." });
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.select({ enabled: webhookEndpoints.enabled }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    if (!endpoint) throw endpointNotFound();
    if (!endpoint.enabled) throw new DomainError("conflict", "This endpoint is disabled: enable it, then recover its failed messages.");
    const rows = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", step: 0, nextAttemptAt: sql`now()`, leaseUntil: null })
      .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, "failed"), gte(webhookDeliveries.createdAt, since)))
      .returning({ id: webhookDeliveries.id });
    await enqueueDeliveries(tx, rows.map((r) => r.id));
    await recordEvent(tx, { actorId: actor.id, action: "webhook_endpoint.recovered", subjectType: "webhook_endpoint", subjectId: id, data: { since: since.toISOString(), messages: rows.length } });
    return rows.length;
  });
}
