import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, requestApprovals, reviews } from "@/db/schema";
import { type Actor, partsUnderAuthorityOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { describeError } from "@/lib/describe-error";
import { NAV_COUNT_CAP } from "./nav-count-cap";

export type NavCounts = { queue: number; reviews: number };

/**
 * The admin navigation's badges, in one query:
 * - queue: pending requests this person may decide now — a part under their authority, not their
 *   own request, and not one they already approved with none of their parts still waiting (the
 *   same rule as the queue's "mayDecide", lib/admin/queue-query.ts);
 * - reviews: open reviews of requests they see (the Reviews page's "N wait for review").
 * Each is counted up to NAV_COUNT_CAP (the badge then reads "99+"): it runs on every admin page.
 *
 * `offset 0` keeps "they already approved it" a look-up per pending request (the approvals' primary
 * key): without it the planner hashed every approval the person ever gave first. At 1M requests the
 * admin's badge cost 17.5 ms at p50 that way (27,700 approvals), 2.0 ms with it; an owner's, 1.1 ms
 * either way (2026-12-06, 50 runs each).
 */
export async function navCounts(db: Queryable, actor: Actor): Promise<NavCounts> {
  if (actor.disabled || (actor.kind === "user" && actor.role !== "owner" && actor.role !== "admin")) return { queue: 0, reviews: 0 };
  const mine = partsUnderAuthorityOf(actor);
  const rows = await db.execute<{ queue: number; reviews: number }>(sql`
    select
      (select count(*)::int from (select 1 from ${accessRequests}
        where ${accessRequests.status} = 'pending' and ${accessRequests.requesterId} <> ${actor.id}
          and exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${accessRequests.id} and ${mine})
          and not (
            exists (select 1 from ${requestApprovals} where ${requestApprovals.requestId} = ${accessRequests.id} and ${requestApprovals.approverId} = ${actor.id} offset 0)
            and not exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${accessRequests.id}
              and ${accessRequestProducts.approvedById} is null and ${mine})
          )
        limit ${NAV_COUNT_CAP}) as decidable) as queue,
      (select count(*)::int from (select 1 from ${reviews} join ${accessRequests} on ${accessRequests.id} = ${reviews.requestId}
        where ${reviews.reviewedAt} is null and ${requestsVisibleTo(actor)}
        limit ${NAV_COUNT_CAP}) as open_reviews) as reviews`);
  const row = rows[0];
  return { queue: row?.queue ?? 0, reviews: row?.reviews ?? 0 };
}

/**
 * The badges for the admin layout. They are a hint: when they cannot be counted (a cold database
 * past its deadline at 1,000,000 requests), the navigation goes without them rather than failing
 * every admin page; the queue and reviews pages count for themselves. Logged by code, never the
 * message (PostgreSQL's detail on the error's cause may repeat values).
 */
export function navCountsOrNone(db: Queryable, actor: Actor): Promise<NavCounts> {
  return navCounts(db, actor).catch((error: unknown) => {
    console.error(`admin navigation: badge counts failed: ${describeError(error)}`);
    return { queue: 0, reviews: 0 };
  });
}
