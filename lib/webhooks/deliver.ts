import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/connect";
import { users, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { formatDateTime } from "@/lib/format";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { enqueueDeliveries } from "./emit";
import { ATTEMPT_TIMEOUT_MS, DISABLE_AFTER_MS, RETENTION_DAYS, WARN_AFTER_MS, retryDelays } from "./schedule";
import { openSecret, signatureHeader } from "./secret";
import { type SendOutcome, postMessage } from "./send";
import { type TargetPolicy, targetPolicy } from "./targets";

export type DeliverOptions = {
  /** Origin for links in the admins' emails. */
  baseUrl: string;
  policy?: TargetPolicy;
  delays?: readonly number[];
  timeoutMs?: number;
};

/**
 * How long an attempt may be in flight before another worker may take the delivery over: longer
 * than an attempt can last (the 10 s timeout and its database writes).
 */
const LEASE_SECONDS = ATTEMPT_TIMEOUT_MS / 1000 + 10;

/**
 * Makes one attempt of one delivery (the `deliver-webhook` job). The delivery is leased first, so
 * two workers never send it at once; the attempt, the delivery's next step and the endpoint's
 * failure streak are written in one transaction after the answer. A worker killed mid-attempt
 * leaves the lease to lapse and the sweep (sweepWebhooks) enqueues the delivery again: delivery is
 * at least once, always with the same webhook-id.
 */
export async function deliverWebhook(db: Database, deliveryId: string, opts: DeliverOptions): Promise<"sent" | "failed" | "skipped"> {
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})`, attempts: sql`${webhookDeliveries.attempts} + 1` })
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, sql`now() + interval '1 second'`),
        or(isNull(webhookDeliveries.leaseUntil), lt(webhookDeliveries.leaseUntil, sql`now()`)),
      ),
    )
    .returning();
  if (!claimed) return "skipped";
  const [target] = await db
    .select({ endpoint: webhookEndpoints, body: webhookEvents.body })
    .from(webhookEndpoints)
    .innerJoin(webhookEvents, eq(webhookEvents.id, claimed.eventId))
    .where(eq(webhookEndpoints.id, claimed.endpointId));
  if (!target) return "skipped";
  const { endpoint, body } = target;

  const outcome = endpoint.enabled
    ? await attempt(claimed.eventId, endpoint, body, opts)
    : { statusCode: null, durationMs: 0, responseBody: "", error: "not sent: the endpoint is disabled", succeeded: false };
  await recordAttempt(db, claimed, endpoint, outcome, opts);
  return outcome.succeeded ? "sent" : "failed";
}

const notSent = (error: string): SendOutcome => ({ statusCode: null, durationMs: 0, responseBody: "", error, succeeded: false });

/**
 * Signs and posts one message. Whatever goes wrong here is the attempt's outcome, never a throw:
 * a throw would leave the attempt unlogged and the lease to lapse, so the sweep would try again
 * every minute, for ever, without the delivery log saying why.
 */
async function attempt(eventId: string, endpoint: typeof webhookEndpoints.$inferSelect, body: string, opts: DeliverOptions): Promise<SendOutcome> {
  const now = new Date();
  let secrets: string[];
  try {
    secrets = [await openSecret(endpoint.secret)];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      secrets.push(await openSecret(endpoint.previousSecret));
    }
  } catch {
    return notSent("not sent: the signing secret could not be opened (was AUTH_SECRET changed?); rotate the secret");
  }
  const headers = {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": signatureHeader(secrets, eventId, now, body),
  };
  try {
    return await postMessage(endpoint.url, headers, body, opts.policy ?? targetPolicy(), opts.timeoutMs);
  } catch (e) {
    return notSent(`not sent: ${e instanceof Error ? e.message : String(e)}`.replaceAll("\u0000", ""));
  }
}

async function recordAttempt(
  db: Database,
  delivery: typeof webhookDeliveries.$inferSelect,
  endpoint: typeof webhookEndpoints.$inferSelect,
  outcome: SendOutcome,
  opts: DeliverOptions,
) {
  const delays = opts.delays ?? retryDelays();
  // Fenced on the attempt count taken with the lease: if the lease lapsed and another worker took
  // the delivery over, this late answer is logged but moves nothing (status, step, streak, job).
  const mine = and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts));
  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      succeeded: outcome.succeeded,
      error: outcome.error,
      responseBody: outcome.responseBody,
    });
    const last = { leaseUntil: null, lastAttemptAt: sql`now()`, lastStatusCode: outcome.statusCode };
    const [current] = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(mine).for("update");
    if (!current) return;
    if (outcome.succeeded) {
      await tx.update(webhookDeliveries).set({ ...last, status: "succeeded" }).where(mine);
      await tx
        .update(webhookEndpoints)
        .set({ failingSince: null, failureWarnedAt: null })
        .where(and(eq(webhookEndpoints.id, endpoint.id), sql`${webhookEndpoints.failingSince} is not null`));
      return;
    }
    const step = delivery.step + 1;
    const delay = endpoint.enabled ? delays[step] : undefined;
    if (delay === undefined) {
      await tx.update(webhookDeliveries).set({ ...last, status: "failed", step }).where(mine);
    } else {
      const next = new Date(Date.now() + delay);
      await tx.update(webhookDeliveries).set({ ...last, step, nextAttemptAt: next }).where(mine);
      await enqueueDeliveries(tx, [delivery.id], next);
    }
    if (endpoint.enabled) await noteFailure(tx, endpoint.id, outcome, opts.baseUrl);
  });
}

const lastError = (o: SendOutcome) => o.error ?? `HTTP ${o.statusCode}`;

/**
 * Starts or continues the endpoint's failure streak; after 4 days of it the admins are warned
 * once, after 5 the endpoint is disabled (its pending deliveries fail) and the admins are told.
 */
async function noteFailure(tx: Queryable, endpointId: string, outcome: SendOutcome, baseUrl: string) {
  // Written only when the streak starts: rewriting it on every failed attempt would lock the one
  // row every attempt to a failing endpoint needs, and serialize them (1,000 messages queued to a
  // receiver that is down).
  const [started] = await tx
    .update(webhookEndpoints)
    .set({ failingSince: sql`now()` })
    .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.failingSince)))
    .returning();
  const ep = started ?? (await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)))[0];
  if (!ep?.failingSince) return;
  const failingFor = Date.now() - ep.failingSince.getTime();
  const props = {
    endpointName: ep.name,
    url: ep.url,
    failingSince: formatDateTime(ep.failingSince),
    disableAt: formatDateTime(new Date(ep.failingSince.getTime() + DISABLE_AFTER_MS)),
    lastError: lastError(outcome),
    endpointUrl: `${baseUrl}/admin/webhooks/${ep.id}`,
  };
  if (failingFor >= DISABLE_AFTER_MS) {
    const [disabled] = await tx
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: "failing", updatedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, ep.id), eq(webhookEndpoints.enabled, true)))
      .returning({ id: webhookEndpoints.id });
    if (!disabled) return;
    await tx.update(webhookDeliveries).set({ status: "failed" }).where(and(eq(webhookDeliveries.endpointId, ep.id), eq(webhookDeliveries.status, "pending")));
    await recordEvent(tx, { actorId: null, actorType: "system", action: "webhook_endpoint.disabled", subjectType: "webhook_endpoint", subjectId: ep.id, data: { reason: "failing", failingSince: ep.failingSince.toISOString() } });
    await emailAdmins(tx, "webhook-disabled", props);
  } else if (failingFor >= WARN_AFTER_MS && !ep.failureWarnedAt) {
    const [warned] = await tx
      .update(webhookEndpoints)
      .set({ failureWarnedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, ep.id), isNull(webhookEndpoints.failureWarnedAt)))
      .returning({ id: webhookEndpoints.id });
    if (warned) await emailAdmins(tx, "webhook-failing", props);
  }
}

async function emailAdmins(tx: Queryable, template: "webhook-failing" | "webhook-disabled", props: Parameters<typeof enqueueEmails>[1][number]["props"]) {
  const admins = await tx
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.kind, "person"), isNull(users.disabledAt)));
  await enqueueEmails(tx, admins.map((a) => ({ to: a.email, template, props }) as never));
}

/**
 * Every minute: deliveries whose attempt is overdue and not in flight (their job was lost, or the
 * worker that held it died) are enqueued again; events past their 30 days go, with their log.
 */
export async function sweepWebhooks(db: Database) {
  const overdue = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lt(webhookDeliveries.nextAttemptAt, sql`now() - interval '30 seconds'`),
        or(isNull(webhookDeliveries.leaseUntil), lt(webhookDeliveries.leaseUntil, sql`now()`)),
      ),
    )
    .limit(5000);
  if (overdue.length > 0) await db.transaction((tx) => enqueueDeliveries(tx, overdue.map((d) => d.id)));
  await db.delete(webhookEvents).where(lt(webhookEvents.createdAt, sql`now() - make_interval(days => ${RETENTION_DAYS})`));
  return overdue.length;
}

