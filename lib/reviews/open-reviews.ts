import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";

export type ReviewKind = "approved" | "auto_approved" | "revoked";

/**
 * Puts completed decisions on review-required plans into the review queue, in the caller's
 * transaction: one row per request whose plan snapshot asks for review, in one statement.
 */
export async function openReviews(tx: Queryable, requestIds: readonly string[], kind: ReviewKind) {
  if (requestIds.length === 0) return;
  await tx.execute(sql`
    insert into reviews (id, request_id, kind, comment_required)
    select gen_random_uuid()::text, r.id, ${kind}::review_kind, coalesce((r.plan->>'reviewCommentRequired')::boolean, false)
    from access_requests r
    where r.id = any(${sql.raw("array[")}${sql.join(
      requestIds.map((id) => sql`${id}`),
      sql`, `,
    )}${sql.raw("]::text[]")}) and coalesce((r.plan->>'reviewRequired')::boolean, false)`);
}
