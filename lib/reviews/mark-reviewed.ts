import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database, Queryable } from "@/db/connect";
import { accessRequests, auditEvents, reviews } from "@/db/schema";
import { auditIp } from "@/lib/audit/context";
import { type Actor, assertCan, loadParts, requestsVisibleTo } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import type { ReviewKind } from "./open-reviews";

export const MAX_REVIEW_BULK = 500;

/**
 * Marks reviews as reviewed, one audit event each, in one transaction. Guarded
 * (`where reviewed_at is null`): of two reviewers marking the same row, one wins and the other is
 * told it was already reviewed. A row whose plan requires a comment refuses an empty one, and then
 * nothing is written at all.
 *
 * A reviewer is an admin or the owner of every product of the request, never its requester nor
 * the person who made the decision under review (DESIGN.md §9): one such row refuses the call.
 */
export async function markReviewed(
  db: Database,
  actor: Actor,
  input: { reviewIds: readonly string[]; comment?: string | null; now?: Date },
) {
  const ids = [...new Set(input.reviewIds)].slice(0, MAX_REVIEW_BULK);
  const comment = input.comment?.trim() || null;
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const visible = await tx
      .select({
        id: reviews.id,
        requestId: reviews.requestId,
        kind: reviews.kind,
        requesterId: accessRequests.requesterId,
        commentRequired: reviews.commentRequired,
        reviewedAt: reviews.reviewedAt,
      })
      .from(reviews)
      .innerJoin(accessRequests, eq(accessRequests.id, reviews.requestId))
      .where(and(inArray(reviews.id, ids), requestsVisibleTo(actor)));
    if (visible.length === 0) throw new DomainError("not_found", "Those reviews were not found. They may belong to products you do not own.");
    const parts = await loadParts(tx, visible.map((v) => v.requestId));
    const deciders = await decidersOf(tx, visible);
    for (const v of visible) {
      assertCan(actor, "review.mark", {
        requesterId: v.requesterId,
        parts: parts.get(v.requestId) ?? [],
        deciderIds: deciders.get(v.id) ?? [],
      });
    }
    if (!comment && visible.some((v) => v.commentRequired && !v.reviewedAt)) {
      throw new DomainError("invalid", "A selected review needs a comment.", {
        comment: "At least one selected decision is on a plan that requires a review comment. Add one.",
      });
    }
    const marked = await tx
      .update(reviews)
      .set({ reviewedAt: now, reviewedById: actor.id, comment })
      .where(and(inArray(reviews.id, visible.map((v) => v.id)), isNull(reviews.reviewedAt)))
      .returning({ id: reviews.id, requestId: reviews.requestId, kind: reviews.kind });
    if (marked.length > 0) {
      await tx.insert(auditEvents).values(
        marked.map((m) => ({
          actorId: actor.id,
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


/** The audited actions that make each kind of decision under review. */
const DECISION_ACTIONS: Record<ReviewKind, string[]> = {
  approved: ["request.approved", "request.approval_recorded"],
  revoked: ["request.revoked", "request.part_revoked", "request.product_revoked"],
  auto_approved: [],
};

/** Per review id: who made the decision it reviews (every approver, or every revoker), from the audit log. */
export async function decidersOf(db: Queryable, rows: readonly { id: string; requestId: string; kind: ReviewKind }[]) {
  const out = new Map<string, string[]>();
  if (rows.length === 0) return out;
  const events = await db
    .selectDistinct({ requestId: auditEvents.subjectId, action: auditEvents.action, actorId: auditEvents.actorId })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.subjectType, "request"),
        inArray(auditEvents.subjectId, [...new Set(rows.map((r) => r.requestId))]),
        inArray(auditEvents.action, [...DECISION_ACTIONS.approved, ...DECISION_ACTIONS.revoked]),
      ),
    );
  for (const r of rows) {
    const actions = DECISION_ACTIONS[r.kind];
    out.set(
      r.id,
      events.filter((e) => e.requestId === r.requestId && actions.includes(e.action) && e.actorId).map((e) => e.actorId ?? ""),
    );
  }
  return out;
}
