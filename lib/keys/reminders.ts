import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { accessRequests, apiKeys, apps, keyReminders, reminderDigests, users } from "@/db/schema";
import type { ReminderDigestKey } from "@/emails/key-reminder-digest";
import { formatDateTime } from "@/lib/format";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { DEFAULT_REMINDER_DAYS } from "@/lib/plans/plan-schema";
import { emailFacts } from "@/lib/requests/decision-emails";
import { emitWebhookEvents } from "@/lib/webhooks/emit";


/** How many recipients one run serves at most; the rest are served by the next run (a minute later). */
const RECIPIENTS_PER_RUN = 500;
/** Reminder rows per INSERT (7 parameters each). */
const CLAIM_CHUNK = 1000;

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

type Due = { keyId: string; requestId: string; start: string; expiresAt: Date; recipientId: string; daysLeft: number; daysBefore: number };

/**
 * The reminders due now: for each working key of an available request, the nearest day of its
 * plan's schedule that the key has reached (days left until the expiry day, UTC, at most that many),
 * unless already sent for this expiry. Only the nearest: a key created 5 days before expiry on a
 * 30/7/1/0 schedule is due for its 7-day reminder, never 30 as well. Recipients who already had
 * today's digest are left for tomorrow.
 */
async function dueReminders(db: Database, now: Date, today: string): Promise<Due[]> {
  // The schedule of a request whose plan snapshot predates the setting.
  const defaults = JSON.stringify(DEFAULT_REMINDER_DAYS);
  const at = now.toISOString();
  const rows = await db.execute<{
    key_id: string;
    request_id: string;
    start: string;
    expires_at: string | Date;
    recipient_id: string;
    days_left: number;
    days_before: number;
  }>(sql`
    with working as (
      select k.id as key_id, k.request_id, k.start, k.expires_at, r.requester_id as recipient_id,
             ((k.expires_at at time zone 'UTC')::date - ${today}::date) as days_left,
             case when jsonb_typeof(r.plan->'reminderDays') = 'array' then r.plan->'reminderDays' else ${defaults}::jsonb end as schedule
      from ${apiKeys} k
      join ${accessRequests} r on r.id = k.request_id
      join ${users} u on u.id = r.requester_id
      join ${apps} a on a.id = k.app_id
      where k.end_reason is null
        and a.deleted_at is null -- a deleted app's keys no longer verify: nothing to roll or extend
        and k.expires_at > ${at}::timestamptz
        and k.expires_at < ${at}::timestamptz + interval '367 days'
        and r.status = 'available'
        and u.disabled_at is null
        and not exists (select 1 from ${reminderDigests} d where d.recipient_id = r.requester_id and d.day = ${today}::date)
    ), scheduled as (
      select w.*, (select min(x::int) from jsonb_array_elements_text(w.schedule) x where x::int >= w.days_left) as days_before
      from working w
    )
    select s.key_id, s.request_id, s.start, s.expires_at, s.recipient_id, s.days_left, s.days_before
    from scheduled s
    where s.days_before is not null
      and not exists (
        select 1 from ${keyReminders} kr
        where kr.request_id = s.request_id and kr.expires_at = s.expires_at and kr.days_before = s.days_before
      )
    order by s.recipient_id, s.expires_at
  `);
  return [...rows].map((r) => ({
    keyId: r.key_id,
    requestId: r.request_id,
    start: r.start,
    expiresAt: new Date(r.expires_at),
    recipientId: r.recipient_id,
    daysLeft: Number(r.days_left),
    daysBefore: Number(r.days_before),
  }));
}

class NothingClaimed extends Error {}

/**
 * The scheduled reminders (lib/jobs/start-worker.ts): each recipient with keys due gets ONE digest
 * email today listing them all, with links to each request's Roll key page and to Extend (the request
 * page). Exactly once even with several workers at the same moment: per recipient, one transaction
 * claims today's digest row and then each reminder row with INSERT … ON CONFLICT DO NOTHING (a
 * concurrent run waits on the unique index and then finds the row taken), and enqueues the email
 * and the `key.expiring` webhook events in that same transaction.
 */
export async function sendReminderDigests(db: Database, baseUrl: string, now = new Date()) {
  const today = utcDay(now);
  const due = await dueReminders(db, now, today);
  const byRecipient = new Map<string, Due[]>();
  for (const d of due) byRecipient.set(d.recipientId, [...(byRecipient.get(d.recipientId) ?? []), d]);

  let digests = 0;
  let reminders = 0;
  for (const [recipientId, keys] of [...byRecipient].slice(0, RECIPIENTS_PER_RUN)) {
    const sent = await db
      .transaction(async (tx) => {
        const [digest] = await tx.insert(reminderDigests).values({ recipientId, day: today }).onConflictDoNothing().returning({ id: reminderDigests.id });
        if (!digest) return 0;
        // A key rolled or ended since the query above is left out (a rolled key's successor has the
        // same expiry and is reminded next time).
        const stillWorking = new Set(
          (await tx.select({ id: apiKeys.id }).from(apiKeys).where(and(inArray(apiKeys.id, keys.map((k) => k.keyId)), isNull(apiKeys.endReason)))).map((k) => k.id),
        );
        const claiming = keys.filter((k) => stillWorking.has(k.keyId));
        if (claiming.length === 0) throw new NothingClaimed();
        // In chunks: one INSERT of ~9,400 rows or more would pass Postgres's 65,535 parameters (an import can give one consumer that many).
        const claimed: { keyId: string }[] = [];
        for (let i = 0; i < claiming.length; i += CLAIM_CHUNK) {
          claimed.push(
            ...(await tx
              .insert(keyReminders)
              .values(claiming.slice(i, i + CLAIM_CHUNK).map((k) => ({ requestId: k.requestId, keyId: k.keyId, expiresAt: k.expiresAt, daysBefore: k.daysBefore, digestId: digest.id, sentAt: now })))
              .onConflictDoNothing()
              .returning({ keyId: keyReminders.keyId })),
          );
        }
        // Nobody's reminder left to send: the digest row goes too (thrown, so the transaction rolls back).
        if (claimed.length === 0) throw new NothingClaimed();
        const claimedIds = new Set(claimed.map((c) => c.keyId));
        const mine = keys.filter((k) => claimedIds.has(k.keyId));
        const facts = new Map((await emailFacts(tx, mine.map((k) => k.requestId))).map((f) => [f.id, f]));
        const first = facts.values().next().value;
        if (!first) throw new NothingClaimed();
        const listed: ReminderDigestKey[] = mine.flatMap((k) => {
          const f = facts.get(k.requestId);
          if (!f) return [];
          return [
            {
              productNames: f.productNames,
              appName: f.appName,
              planName: f.planName,
              keyStart: k.start,
              expiresAt: formatDateTime(k.expiresAt),
              daysLeft: k.daysLeft,
              rollUrl: `${baseUrl}/requests/${k.requestId}/roll`,
              requestUrl: `${baseUrl}/requests/${k.requestId}`,
            },
          ];
        });
        const messageId = await enqueueEmail(tx, { to: first.email, template: "key-reminder-digest", props: { recipientName: first.name, keys: listed } });
        await tx.update(reminderDigests).set({ emailMessageId: messageId }).where(eq(reminderDigests.id, digest.id));
        await emitWebhookEvents(
          tx,
          mine.map((k) => ({ type: "key.expiring" as const, subjectType: "key" as const, subjectId: k.keyId, actor: { type: "system", id: null } })),
        );
        return mine.length;
      })
      .catch((error: unknown) => {
        if (error instanceof NothingClaimed) return 0;
        // One recipient's failure (rolled back: retried next run) must not starve everyone after them.
        console.error(`reminders: the digest for user ${recipientId} failed and is retried next run: ${error instanceof Error ? error.message.split("\n")[0]?.slice(0, 200) : "unknown error"}`);
        return 0;
      });
    if (sent > 0) {
      digests++;
      reminders += sent;
    }
  }
  return { digests, reminders };
}
