import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { accessRequests, auditEvents, reviews } from "@/db/schema";
import { auditIp } from "@/lib/audit/context";
import { DomainError } from "@/lib/errors";
import { type Approver, approverScope } from "@/lib/requests/decide-requests";

export const MAX_REVIEW_BULK = 500;

/**
 * Marks reviews as reviewed, one audit event each, in one transaction. Guarded
 * (`where reviewed_at is null`): of two reviewers marking the same row, one wins and the other is
 * told it was already reviewed. A row whose plan requires a comment refuses an empty one, and then
 * nothing is written at all.
 */
export async function markReviewed(
  db: Database,
  reviewer: Approver,
  input: { reviewIds: readonly string[]; comment?: string | null },
  now = new Date(),
) {
  const ids = [...new Set(input.reviewIds)].slice(0, MAX_REVIEW_BULK);
  const comment = input.comment?.trim() || null;
  return db.transaction(async (tx) => {
    const visible = await tx
      .select({ id: reviews.id, requestId: reviews.requestId, commentRequired: reviews.commentRequired, reviewedAt: reviews.reviewedAt })
      .from(reviews)
      .innerJoin(accessRequests, eq(accessRequests.id, reviews.requestId))
      .where(and(inArray(reviews.id, ids), approverScope(reviewer)));
    if (visible.length === 0) throw new DomainError("not_found", "Those reviews were not found. They may belong to products you do not own.");
    if (!comment && visible.some((v) => v.commentRequired && !v.reviewedAt)) {
      throw new DomainError("invalid", "A selected review needs a comment.", {
        comment: "At least one selected decision is on a plan that requires a review comment. Add one.",
      });
    }
    const marked = await tx
      .update(reviews)
      .set({ reviewedAt: now, reviewedById: reviewer.id, comment })
      .where(and(inArray(reviews.id, visible.map((v) => v.id)), isNull(reviews.reviewedAt)))
      .returning({ id: reviews.id, requestId: reviews.requestId, kind: reviews.kind });
    if (marked.length > 0) {
      await tx.insert(auditEvents).values(
        marked.map((m) => ({
          actorId: reviewer.id,
          action: "request.reviewed",
          subjectType: "request",
          subjectId: m.requestId,
          comment,
          ip: auditIp(),
          data: { reviewId: m.id, kind: m.kind },
        })),
      );
    }
    return {
      reviewed: marked.length,
      alreadyReviewed: visible.length - marked.length,
      notFound: ids.length - visible.length,
    };
  });
}

export function summarizeReview(r: { reviewed: number; alreadyReviewed: number; notFound: number }) {
  const parts = [`${r.reviewed} marked reviewed`];
  if (r.alreadyReviewed) parts.push(`${r.alreadyReviewed} ${r.alreadyReviewed === 1 ? "was" : "were"} already reviewed`);
  if (r.notFound) parts.push(`${r.notFound} not found`);
  return `${parts.join(", ")}.`;
}

