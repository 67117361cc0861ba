import { addDays } from "date-fns/addDays";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/connect";
import { accessRequests } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { emailFacts } from "./decision-emails";
import { endRequests } from "./end-requests";

/**
 * When an approved request's access window ends: start + duration, the moment its key would
 * expire (lib/keys/issue-key.ts). A request without a duration has no end, so it never expires
 * unclaimed; its claim link still expires and can be re-sent.
 */
export const accessWindowEnd = (r: { startsAt: Date; durationDays: number | null }) =>
  r.durationDays === null ? null : addDays(r.startsAt, r.durationDays);

/**
 * Ends one approved request whose window is over, inside `tx`: expired (guarded: a request that was
 * claimed, cancelled or revoked meanwhile is left alone), audited, claim links dead, requester
 * emailed when `baseUrl` is given. Returns whether it expired.
 */
export async function expireUnclaimedRequest(tx: Tx, requestId: string, opts: { baseUrl?: string; now: Date }) {
  const [row] = await tx
    .select({ status: accessRequests.status, startsAt: accessRequests.startsAt, durationDays: accessRequests.durationDays })
    .from(accessRequests)
    .where(eq(accessRequests.id, requestId))
    .for("update");
  const end = row ? accessWindowEnd(row) : null;
  if (row?.status !== "approved" || !end || end > opts.now) return false;
  const ended = await endRequests(tx, {
    requestIds: [requestId],
    transition: "expire",
    actorId: null,
    actorType: "system",
    reason: "The access window ended before the key was claimed.",
    now: opts.now,
  });
  if (ended.requestIds.length === 0) return false;
  if (opts.baseUrl) {
    const [f] = await emailFacts(tx, [requestId]);
    if (f) {
      await enqueueEmails(tx, [
        {
          to: f.email,
          template: "expired",
          props: {
            requesterName: f.name,
            appName: f.appName,
            planName: f.planName,
            productNames: f.productNames,
            requestUrl: `${opts.baseUrl}/requests/${f.id}`,
            expiredAt: formatDateTime(end),
            unclaimed: true,
          },
        },
      ]);
    }
  }
  return true;
}

/** An approved request's window end in UTC, as access_requests_unclaimed_end_idx indexes it. */
const windowEndUtc = sql`(timezone('UTC', ${accessRequests.startsAt}) + make_interval(days => ${accessRequests.durationDays}))`;

/**
 * The scheduled sweep (run with the key expiry, lib/jobs/start-worker.ts): approved requests whose
 * access window ended unclaimed become expired. Each in its own small transaction.
 */
export async function expireUnclaimedRequests(db: Database, baseUrl: string, now = new Date()) {
  const due = await db
    .select({ id: accessRequests.id })
    .from(accessRequests)
    .where(
      and(
        // Literal, as the partial index's predicate says it: the planner proves the index usable
        // from the query text, whatever plan a prepared statement would settle on.
        sql`${accessRequests.status} = 'approved'`,
        isNotNull(accessRequests.durationDays),
        sql`${windowEndUtc} <= timezone('UTC', ${now.toISOString()}::timestamptz)`,
      ),
    )
    // Longest overdue first, read off access_requests_unclaimed_end_idx: the planner cannot tell
    // that the due rows are few, and without the order it scanned the table (1.2 s at 1M requests).
    .orderBy(windowEndUtc)
    .limit(500);
  let expired = 0;
  for (const d of due) {
    if (await db.transaction((tx) => expireUnclaimedRequest(tx, d.id, { baseUrl, now }))) expired++;
  }
  return expired;
}
