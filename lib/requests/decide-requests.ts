import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, auditEvents, products, requestApprovals, type UserRole } from "@/db/schema";
import { auditIp } from "@/lib/audit/context";
import { DomainError } from "@/lib/errors";
import { openReviews } from "@/lib/reviews/open-reviews";
import { enqueueApprovedEmails, enqueueDeniedEmails } from "./decision-emails";
import { transitions } from "./state-machine";

export type Approver = { id: string; role: UserRole };

/** Said beside the comment when a denial comes without one (the form checks first, this module too). */
export const DENY_NEEDS_REASON = "Say why you deny: the requester is emailed this comment.";
export type Decision = "approve" | "deny";
export type DecisionResult =
  | "approved"
  | "denied"
  | "approval-recorded"
  | "already-decided"
  | "already-approved-by-you"
  | "not-found";
export type DecisionOutcome = { requestId: string; result: DecisionResult };

export const MAX_BULK = 1000;

/**
 * Requests this approver may decide: admins all, owners those touching one of their products.
 * An id outside the scope is answered exactly like an unknown one.
 */
export function approverScope(approver: Approver) {
  if (approver.role === "admin") return sql`true`;
  return sql`exists (select 1 from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId}
    where ${accessRequestProducts.requestId} = ${accessRequests.id} and ${products.ownerId} = ${approver.id})`;
}

/**
 * Approves or denies one or many requests in one transaction (DESIGN.md §2). State changes are
 * guarded in SQL (`where status = 'pending'`): of concurrent decisions on one request exactly one
 * wins and the others come back "already-decided". Multi-approver plans count distinct approvers;
 * any deny ends the request. Audit events and emails commit with the decisions.
 */
export async function decideRequests(
  db: Database,
  ctx: { approver: Approver; baseUrl: string },
  input: { requestIds: readonly string[]; decision: Decision; comment?: string | null },
): Promise<DecisionOutcome[]> {
  const ids = [...new Set(input.requestIds)].slice(0, MAX_BULK);
  const comment = input.comment?.trim() || null;
  // The requester is emailed why; a denial without a reason is refused here as well as in the form.
  if (input.decision === "deny" && !comment) {
    throw new DomainError("invalid", DENY_NEEDS_REASON, { comment: DENY_NEEDS_REASON });
  }
  if (ids.length === 0) return [];
  return db.transaction(async (tx) => {
    const visible = await tx
      .select({ id: accessRequests.id, required: sql<number>`(${accessRequests.plan}->>'approvalsRequired')::int` })
      .from(accessRequests)
      .where(and(inArray(accessRequests.id, ids), approverScope(ctx.approver)));
    const outcome = new Map<string, DecisionResult>(ids.map((id) => [id, "not-found"]));
    for (const v of visible) outcome.set(v.id, "already-decided");

    if (input.decision === "deny") {
      const denied = await guardedUpdate(tx, visible.map((v) => v.id), "deny");
      await audit(tx, denied, ctx.approver.id, "request.denied", comment);
      await enqueueDeniedEmails(tx, denied, comment, ctx.baseUrl);
      for (const id of denied) outcome.set(id, "denied");
    } else {
      const single = visible.filter((v) => v.required <= 1).map((v) => v.id);
      const approved = await guardedUpdate(tx, single, "approve");
      if (approved.length > 0) {
        await tx.insert(requestApprovals).values(approved.map((requestId) => ({ requestId, approverId: ctx.approver.id, comment })));
      }
      for (const id of approved) outcome.set(id, "approved");

      for (const v of visible.filter((x) => x.required > 1)) {
        const result = await recordApproval(tx, v.id, v.required, ctx.approver.id, comment);
        outcome.set(v.id, result);
        if (result === "approved") approved.push(v.id);
      }
      await audit(tx, approved, ctx.approver.id, "request.approved", comment);
      await enqueueApprovedEmails(tx, approved, ctx.baseUrl);
      await openReviews(tx, approved, "approved");
    }
    return ids.map((requestId) => ({ requestId, result: outcome.get(requestId) ?? "not-found" }));
  });
}

/** `update … where id = any($ids) and status in (<from>)`: the state guard. */
async function guardedUpdate(tx: Tx, ids: string[], transition: "approve" | "deny") {
  if (ids.length === 0) return [];
  const { from, to } = transitions[transition];
  const rows = await tx
    .update(accessRequests)
    .set({ status: to, decidedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(inArray(accessRequests.id, ids), inArray(accessRequests.status, [...from])))
    .returning({ id: accessRequests.id });
  return rows.map((r) => r.id);
}

/** One approver's approval on a multi-approver request; approves it when the count is reached. */
async function recordApproval(tx: Tx, requestId: string, required: number, approverId: string, comment: string | null) {
  // The row lock queues concurrent approvals of this request so each sees the others' counts.
  const [row] = await tx
    .select({ status: accessRequests.status })
    .from(accessRequests)
    .where(eq(accessRequests.id, requestId))
    .for("update");
  if (row?.status !== "pending") return "already-decided" as const;
  const inserted = await tx
    .insert(requestApprovals)
    .values({ requestId, approverId, comment })
    .onConflictDoNothing()
    .returning({ id: requestApprovals.requestId });
  if (inserted.length === 0) return "already-approved-by-you" as const;
  const [{ n } = { n: 0 }] = await tx
    .select({ n: count() })
    .from(requestApprovals)
    .where(eq(requestApprovals.requestId, requestId));
  if (n < required) {
    await audit(tx, [requestId], approverId, "request.approval_recorded", comment, { approvals: n, required });
    return "approval-recorded" as const;
  }
  const approved = await guardedUpdate(tx, [requestId], "approve");
  return approved.length === 1 ? ("approved" as const) : ("already-decided" as const);
}

async function audit(
  tx: Queryable,
  ids: readonly string[],
  actorId: string,
  action: string,
  comment: string | null,
  data: Record<string, unknown> = {},
) {
  if (ids.length === 0) return;
  await tx.insert(auditEvents).values(
    ids.map((subjectId) => ({ actorId, action, subjectType: "request", subjectId, comment, data, ip: auditIp() })),
  );
}

/** "18 approved, 2 were already decided" */
export function summarizeOutcomes(outcomes: readonly DecisionOutcome[]) {
  const counts = new Map<DecisionResult, number>();
  for (const o of outcomes) counts.set(o.result, (counts.get(o.result) ?? 0) + 1);
  const words: Record<DecisionResult, (n: number) => string> = {
    approved: (n) => `${n} approved`,
    denied: (n) => `${n} denied`,
    "approval-recorded": (n) => `${n} ${n === 1 ? "approval" : "approvals"} recorded (more approvers needed)`,
    "already-decided": (n) => `${n} ${n === 1 ? "was" : "were"} already decided`,
    "already-approved-by-you": (n) => `${n} you had already approved`,
    "not-found": (n) => `${n} not found`,
  };
  return [...counts.entries()].map(([k, n]) => words[k](n)).join(", ");
}
