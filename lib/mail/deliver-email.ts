import { render } from "@react-email/render";
import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { emailMessages } from "@/db/schema";
import { templates, type TemplateName } from "@/emails";
import { emailBrand } from "./email-brand";
import { isSealed, seal, unseal } from "./sealed";
import { scheduleAttempt } from "./enqueue-email";
import { PROVIDER_TIMEOUT_MS, type Transport } from "./transport";
import { type RetrySchedule, nextDelay, retrySchedule } from "./useful-life";

export type DeliveryResult =
  | "sent"
  | "already-sent"
  /** The provider failed or did not answer; the next attempt is scheduled. */
  | "retrying"
  /** The provider failed on the schedule's last attempt. */
  | "failed"
  /** Past its useful life: not sent. */
  | "expired"
  /** Another attempt is in flight (or a dead worker's lease has not lapsed): tried again after it. */
  | "busy"
  /** Nothing to do now: not due yet, or already failed or expired. */
  | "skipped";

/**
 * How long an attempt may be in flight before another worker may take the message over: longer
 * than an attempt can last (the provider's 10 s timeout, rendering and two writes).
 */
export const LEASE_SECONDS = 30;

/**
 * A message is handed to the provider only while its useful life outlasts the provider's answer
 * (its 10 s timeout): a sign-in email taken at 9:59 and accepted at 10:09 would carry a dead link.
 */
const LAST_CALL_SECONDS = PROVIDER_TIMEOUT_MS / 1000;

export type DeliverOptions = {
  from: string;
  /** For tests: one retry schedule for every template instead of each template's own. */
  schedule?: RetrySchedule;
};

/**
 * Makes one attempt at sending one recorded message (the `send-email` job). The message is leased
 * first, so two workers never send it at once; a message past its useful life is marked expired
 * instead; a failed attempt schedules the next one as a job of its own (the template's schedule,
 * lib/mail/useful-life.ts), fenced on the attempt count so a late answer from a taken-over attempt
 * moves nothing. A worker killed mid-send leaves the lease to lapse and its job to be unlocked
 * (lib/jobs/worker-liveness.ts); the attempt after it carries the same idempotency key (the message
 * id), so the provider sends the message once.
 */
export async function deliverEmail(db: Database, messageId: string, transport: Transport, opts: DeliverOptions): Promise<DeliveryResult> {
  const [current] = await db
    .select({ status: emailMessages.status })
    .from(emailMessages)
    .where(eq(emailMessages.id, messageId));
  if (!current) return "skipped";
  if (current.status === "sent") return "already-sent";

  // Due (its next attempt's time has come) or abandoned mid-send (its lease lapsed).
  const takeable = and(
    eq(emailMessages.id, messageId),
    or(
      and(eq(emailMessages.status, "queued"), or(isNull(emailMessages.nextAttemptAt), lte(emailMessages.nextAttemptAt, sql`now() + interval '1 second'`))),
      and(eq(emailMessages.status, "sending"), or(isNull(emailMessages.leaseUntil), lt(emailMessages.leaseUntil, sql`now()`))),
    ),
  );
  const [expired] = await db
    .update(emailMessages)
    .set({ status: "expired", leaseUntil: null, nextAttemptAt: null })
    .where(and(takeable, lte(emailMessages.usefulUntil, sql`now() + make_interval(secs => ${LAST_CALL_SECONDS})`)))
    .returning({ id: emailMessages.id });
  if (expired) return "expired";

  const [message] = await db
    .update(emailMessages)
    .set({ status: "sending", attempts: sql`${emailMessages.attempts} + 1`, leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(takeable)
    .returning();
  if (!message) {
    if (current.status !== "sending") return "skipped";
    // In flight elsewhere, or its worker died and the lease has not lapsed: look again after it.
    await scheduleAttempt(db, messageId, sql`coalesce((select lease_until from email_messages where id = ${messageId}), now()) + interval '1 second'`);
    return "busy";
  }

  const template = templates[message.template as TemplateName];
  if (!template) throw new Error(`Unknown email template "${message.template}"`);
  // Only the props enqueueEmail sealed (the template's secretProps) are opened: any other value is
  // the sender's text (a display name, an app name) and stays as typed, even if it looks sealed,
  // so delivery never decrypts a sealed value someone copied into their name.
  const secretProps: readonly string[] = (template as { secretProps?: readonly string[] }).secretProps ?? [];
  const props: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.props)) props[name] = secretProps.includes(name) ? await unseal(value) : value;
  const hasSecrets = secretProps.some((name) => isSealed(message.props[name]));
  const element = (template.render as (p: unknown) => React.ReactElement)({ ...props, brand: await emailBrand(db) });
  const html = await render(element);
  const text = await render(element, { plainText: true });

  let providerId: string | null;
  try {
    ({ providerId } = await transport.send({
      from: opts.from,
      to: message.to,
      subject: message.subject,
      html,
      text,
      idempotencyKey: message.id,
    }));
  } catch (error) {
    return scheduleNext(db, message, error, opts.schedule ?? retrySchedule(message.template), transport.name);
  }
  await db
    .update(emailMessages)
    .set({
      status: "sent",
      transport: transport.name,
      providerId,
      lastError: null,
      sentAt: new Date(),
      leaseUntil: null,
      nextAttemptAt: null,
      // The outbox keeps bodies for the dev mailbox, sealed when they carry a link token.
      html: transport.keepsBody ? (hasSecrets ? await seal(html) : html) : null,
      text: transport.keepsBody ? (hasSecrets ? await seal(text) : text) : null,
      // Links in the body (sign-in, claim) must not outlive delivery to a real provider.
      props: transport.keepsBody ? message.props : {},
    })
    .where(eq(emailMessages.id, message.id));
  return "sent";
}

/**
 * After a failed attempt: the next one on the schedule, or failed when the schedule is over, or
 * expired when the next one would come after the message's useful life.
 */
async function scheduleNext(
  db: Database,
  message: typeof emailMessages.$inferSelect,
  error: unknown,
  schedule: RetrySchedule,
  transportName: Transport["name"],
): Promise<DeliveryResult> {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  const delay = nextDelay(schedule, message.attempts);
  // Only this attempt's own lease: if it lapsed and another worker took over, this answer is late.
  const mine = and(eq(emailMessages.id, message.id), eq(emailMessages.status, "sending"), eq(emailMessages.attempts, message.attempts));
  const done = { transport: transportName, lastError: reason, leaseUntil: null };
  if (delay === null) {
    const [row] = await db.update(emailMessages).set({ ...done, status: "failed", nextAttemptAt: null }).where(mine).returning({ id: emailMessages.id });
    return row ? "failed" : "skipped";
  }
  const next = sql`now() + make_interval(secs => ${delay / 1000})`;
  // the next attempt must still find the useful life outlasting the provider's answer
  const last = sql`${next} + make_interval(secs => ${LAST_CALL_SECONDS})`;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(emailMessages)
      .set({
        ...done,
        status: sql`case when ${emailMessages.usefulUntil} <= ${last} then 'expired' else 'queued' end::email_status`,
        nextAttemptAt: sql`case when ${emailMessages.usefulUntil} <= ${last} then null else ${next} end`,
      })
      .where(mine)
      .returning({ status: emailMessages.status });
    if (!row) return "skipped";
    if (row.status === "expired") return "expired";
    await scheduleAttempt(tx, message.id, sql`(select next_attempt_at from email_messages where id = ${message.id})`);
    return "retrying";
  });
}
