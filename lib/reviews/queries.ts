import { and, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/connect";
import { accessRequests, apps, reviews, users } from "@/db/schema";
import { type Actor, can, loadParts, requestsVisibleTo } from "@/lib/auth/permissions";
import { decidersOf } from "./mark-reviewed";
import { type KeysetPosition, keysetPage, keysetQuery } from "@/lib/paging/keyset";
import { requestProductNames } from "@/lib/requests/product-names";

export const REVIEW_VIEWS = ["open", "reviewed", "all"] as const;
export type ReviewView = (typeof REVIEW_VIEWS)[number];
export const REVIEWS_PAGE = 50;

const reviewer = alias(users, "reviewer");

/**
 * /admin/reviews: decisions awaiting review (or done), for requests the approver may decide. Open ones
 * oldest first (the longest waiting at the top), the others newest first; keyset-paged
 * (lib/paging/keyset.ts).
 */
export async function listReviews(db: Queryable, actor: Actor, opts: { view: ReviewView } & KeysetPosition) {
  const keyset = keysetQuery(reviews.createdAt, reviews.id, opts.view === "open" ? "asc" : "desc", opts);
  const where = and(
    requestsVisibleTo(actor),
    opts.view === "open" ? isNull(reviews.reviewedAt) : opts.view === "reviewed" ? isNotNull(reviews.reviewedAt) : undefined,
    keyset.where,
  );
  const rows = await db
    .select({
      id: reviews.id,
      kind: reviews.kind,
      commentRequired: reviews.commentRequired,
      createdAt: reviews.createdAt,
      reviewedAt: reviews.reviewedAt,
      comment: reviews.comment,
      reviewerEmail: reviewer.email,
      requestId: accessRequests.id,
      requesterId: accessRequests.requesterId,
      status: accessRequests.status,
      planName: sql<string>`${accessRequests.plan}->>'name'`,
      requesterEmail: users.email,
      appName: apps.name,
      productNames: requestProductNames(),
      // Who made the decision under review: the latest matching audit event on the request.
      decidedBy: sql<string | null>`(select coalesce(u.email, e.actor_type) from audit_events e left join users u on u.id = e.actor_id
        where e.subject_type = 'request' and e.subject_id = ${accessRequests.id}
          and e.action = case when ${reviews.kind} = 'revoked' then 'request.revoked' else 'request.approved' end
        order by e.created_at desc limit 1)`,
      cursorAt: keyset.cursorAt,
    })
    .from(reviews)
    .innerJoin(accessRequests, eq(accessRequests.id, reviews.requestId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .leftJoin(reviewer, eq(reviewer.id, reviews.reviewedById))
    .where(where)
    .orderBy(...keyset.orderBy)
    .limit(REVIEWS_PAGE + 1);
  const [open] = await db
    .select({ n: count() })
    .from(reviews)
    .innerJoin(accessRequests, eq(accessRequests.id, reviews.requestId))
    .where(and(requestsVisibleTo(actor), isNull(reviews.reviewedAt)));
  const { rows: page, nextCursor, previousCursor, startOver } = keysetPage(rows, REVIEWS_PAGE, keyset);
  // Whether this actor may mark each row, and if not why (the table says it instead of a checkbox).
  const parts = await loadParts(db, page.map((r) => r.requestId));
  const deciders = await decidersOf(db, page);
  const marked = page.map((r) => {
    const p = can(actor, "review.mark", { requesterId: r.requesterId, parts: parts.get(r.requestId) ?? [], deciderIds: deciders.get(r.id) ?? [] });
    return { ...r, whyNot: p.ok ? null : p.reason };
  });
  return { rows: marked, nextCursor, previousCursor, startOver, openCount: open?.n ?? 0 };
}
