import { and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiAccessKeys, requestApprovals, users } from "@/db/schema";
import { recordEvents } from "@/lib/audit/record-event";
import { type Actor, type PartRow, assertCan, loadParts, partsOf, partsUnderAuthorityOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { openReviews } from "@/lib/reviews/open-reviews";
import { applyExtensions } from "./apply-extensions";
import { enqueueApprovedEmails, enqueueDeniedEmails, enqueueExtensionDeniedEmails } from "./decision-emails";
import { transitions } from "./state-machine";

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
 * Approves or denies one or many requests in one transaction (DESIGN.md §2, §9). Only requests the
 * actor sees are touched (others answer "not-found"); their rows are locked first, so of concurrent
 * decisions on one request exactly one wins and the others come back "already-decided", and
 * concurrent approvals of one request see each other's.
 *
 * An approval is recorded on the parts (products) the actor has authority over and counts the actor
 * once; the request is approved when every part has its owner's (or an admin's) approval and the
 * plan's distinct approvers are reached. Any deny ends the request. The requester never decides
 * their own request: if one of the ids is theirs, the call is refused and nothing is written.
 */
export async function decideRequests(
  db: Database,
  actor: Actor,
  input: { requestIds: readonly string[]; decision: Decision; comment?: string | null; baseUrl: string },
): Promise<DecisionOutcome[]> {
  const ids = [...new Set(input.requestIds)].slice(0, MAX_BULK);
  const comment = input.comment?.trim() || null;
  // The requester is emailed why; a denial without a reason is refused here as well as in the form.
  if (input.decision === "deny" && !comment) {
    throw new DomainError("invalid", DENY_NEEDS_REASON, { comment: DENY_NEEDS_REASON });
  }
  if (ids.length === 0) return [];
  return db.transaction(async (tx) => {
    // An approved extension locks the request it extends too (applyExtensions): locked here with the
    // rest, all in id order, not later and out of order, where it deadlocked against a revoke or a
    // disable holding that request and waiting for one of these (adversarial review, 2026-12-06).
    // Most decisions have no extension among them and skip this (it would cost a 1,000-request
    // approval about 0.4 s as one statement with the originals in a subquery).
    const originals =
      input.decision === "approve"
        ? (
            await tx
              .select({ id: accessRequests.extendsRequestId })
              .from(accessRequests)
              .where(and(inArray(accessRequests.id, ids), isNotNull(accessRequests.extendsRequestId)))
          ).flatMap((r) => (r.id ? [r.id] : []))
        : [];
    if (originals.length > 0) {
      await tx
        .select({ id: accessRequests.id })
        .from(accessRequests)
        .where(and(inArray(accessRequests.id, [...ids, ...originals]), or(requestsVisibleTo(actor), inArray(accessRequests.id, originals))))
        .orderBy(accessRequests.id)
        .for("update");
    }
    // Locked in id order, so two bulk decisions over the same requests never deadlock.
    const visible = await tx
      .select({
        id: accessRequests.id,
        status: accessRequests.status,
        requesterId: accessRequests.requesterId,
        extendsRequestId: accessRequests.extendsRequestId,
        required: sql<number>`coalesce((${accessRequests.plan}->>'approvalsRequired')::int, 1)`,
      })
      .from(accessRequests)
      .where(and(inArray(accessRequests.id, ids), requestsVisibleTo(actor)))
      .orderBy(accessRequests.id)
      .for("update");
    const parts = await loadParts(tx, visible.map((v) => v.id));
    for (const v of visible) assertCan(actor, "request.decide", { requesterId: v.requesterId, parts: parts.get(v.id) ?? [] });

    const outcome = new Map<string, DecisionResult>(ids.map((id) => [id, "not-found"]));
    for (const v of visible) outcome.set(v.id, "already-decided");
    const pending = visible.filter((v) => v.status === "pending");
    // Extensions (lib/requests/extend-request.ts) are decided alike; their effect is a later expiry, not a key.
    const extensions = new Set(visible.filter((v) => v.extendsRequestId).map((v) => v.id));
    const grants = (ids: readonly string[]) => ids.filter((id) => !extensions.has(id));
    const extended = (ids: readonly string[]) => ids.filter((id) => extensions.has(id));

    if (input.decision === "deny") {
      const denied = await guardedUpdate(tx, pending.map((v) => v.id), "deny");
      await audit(tx, denied, actor.id, "request.denied", comment);
      await enqueueDeniedEmails(tx, grants(denied), comment, input.baseUrl);
      await enqueueExtensionDeniedEmails(tx, extended(denied), comment, input.baseUrl);
      for (const id of denied) outcome.set(id, "denied");
      return ids.map((requestId) => ({ requestId, result: outcome.get(requestId) ?? "not-found" }));
    }

    const results = await recordApprovals(tx, actor, pending, parts, comment);
    const approved = await guardedUpdate(tx, pending.filter((v) => results.get(v.id) === "complete").map((v) => v.id), "approve");
    const done = new Set(approved);
    for (const v of pending) {
      const r = results.get(v.id);
      outcome.set(v.id, r === "complete" ? (done.has(v.id) ? "approved" : "already-decided") : (r ?? "already-decided"));
    }
    await audit(tx, approved, actor.id, "request.approved", comment);
    await enqueueApprovedEmails(tx, grants(approved), input.baseUrl);
    await openReviews(tx, approved, "approved");
    await applyExtensions(tx, extended(approved), { actorId: actor.id, actorType: "user", baseUrl: input.baseUrl, now: new Date() });
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

/**
 * The actor's approval of pending requests (their rows locked by the caller), set-based however
 * many: their parts get their approval and they count once per request. A request is "complete"
 * when every part is approved and the plan's count of distinct approvers is reached; the others
 * get an audited "approval recorded" naming the products still waiting.
 */
async function recordApprovals(
  tx: Tx,
  actor: Actor,
  pending: readonly { id: string; required: number }[],
  parts: ReadonlyMap<string, readonly PartRow[]>,
  comment: string | null,
) {
  const results = new Map<string, "complete" | "approval-recorded" | "already-approved-by-you">();
  if (pending.length === 0) return results;
  const ids = pending.map((v) => v.id);
  await tx
    .update(accessRequestProducts)
    .set({ approvedById: actor.id, approvedAt: sql`now()` })
    .where(and(inArray(accessRequestProducts.requestId, ids), isNull(accessRequestProducts.approvedAt), partsUnderAuthorityOf(actor)));
  const inserted = new Set(
    (
      await tx
        .insert(requestApprovals)
        .values(ids.map((requestId) => ({ requestId, approverId: actor.id, comment })))
        .onConflictDoNothing()
        .returning({ id: requestApprovals.requestId })
    ).map((r) => r.id),
  );
  const counts = new Map(
    (
      await tx
        // distinct people: an API access key counts as the admin who created it (one person
        // approving by hand and through their own key, or through two keys, is one approver)
        .select({
          id: requestApprovals.requestId,
          n: sql<number>`count(distinct coalesce((select ${apiAccessKeys.createdById} from ${apiAccessKeys} where ${apiAccessKeys.serviceUserId} = ${users.id}), ${users.id}))::int`,
        })
        .from(requestApprovals)
        // Only approvers who could still approve count: a disabled (say, compromised) or demoted
        // approver's earlier approval no longer makes up the plan's N distinct approvers.
        .innerJoin(users, eq(users.id, requestApprovals.approverId))
        // An API access key's approval counts while its key could still approve: not removed (its
        // service user is disabled then), not expired, and still a Portal admin or Product approver.
        .where(
          and(
            inArray(requestApprovals.requestId, ids),
            isNull(users.disabledAt),
            or(
              inArray(users.role, ["owner", "admin"]),
              and(
                eq(users.kind, "service"),
                sql`exists (select 1 from ${apiAccessKeys} where ${apiAccessKeys.serviceUserId} = ${users.id}
                  and ${apiAccessKeys.removedAt} is null and ${apiAccessKeys.expiresAt} > now()
                  and (${apiAccessKeys.roles} @> '[{"role":"portal_admin"}]' or ${apiAccessKeys.roles} @> '[{"role":"product_approver"}]'))`,
              ),
            ),
          ),
        )
        .groupBy(requestApprovals.requestId)
    ).map((r) => [r.id, r.n]),
  );
  const recorded: { id: string; data: Record<string, unknown> }[] = [];
  for (const v of pending) {
    const all = parts.get(v.id) ?? [];
    const mine = partsOf(actor, all).filter((p) => !p.approvedAt);
    const waiting = all.filter((p) => !p.approvedAt && !mine.includes(p));
    const n = counts.get(v.id) ?? 0;
    if (!inserted.has(v.id) && mine.length === 0) results.set(v.id, "already-approved-by-you");
    else if (n >= v.required && waiting.length === 0) results.set(v.id, "complete");
    else {
      results.set(v.id, "approval-recorded");
      recorded.push({
        id: v.id,
        data: { approvals: n, required: v.required, products: mine.map((p) => p.productName), waitingFor: waiting.map((p) => p.productName) },
      });
    }
  }
  if (recorded.length > 0) {
    await recordEvents(
      tx,
      recorded.map((r) => ({ actorId: actor.id, action: "request.approval_recorded", subjectType: "request", subjectId: r.id, comment, data: r.data })),
    );
  }
  return results;
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
  await recordEvents(
    tx,
    ids.map((subjectId) => ({ actorId, action, subjectType: "request" as const, subjectId, comment, data })),
  );
}

/** "18 approved, 2 were already decided" */
export function summarizeOutcomes(outcomes: readonly DecisionOutcome[]) {
  const counts = new Map<DecisionResult, number>();
  for (const o of outcomes) counts.set(o.result, (counts.get(o.result) ?? 0) + 1);
  const words: Record<DecisionResult, (n: number) => string> = {
    approved: (n) => `${n} approved`,
    denied: (n) => `${n} denied`,
    "approval-recorded": (n) => `${n} ${n === 1 ? "approval" : "approvals"} recorded (waiting for other approvers or product owners)`,
    "already-decided": (n) => `${n} ${n === 1 ? "was" : "were"} already decided`,
    "already-approved-by-you": (n) => `${n} you had already approved`,
    "not-found": (n) => `${n} not found`,
  };
  return [...counts.entries()].map(([k, n]) => words[k](n)).join(", ");
}
