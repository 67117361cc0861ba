import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { accessRequests, type RequestStatus } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError, notFound } from "@/lib/errors";

/**
 * The access-request lifecycle (DESIGN.md §2). Each transition names the states it may leave;
 * applyTransition enforces that in SQL, so of two concurrent transitions exactly one wins.
 */
export const transitions = {
  approve: { from: ["pending"], to: "approved" },
  deny: { from: ["pending"], to: "denied" },
  cancel: { from: ["pending", "approved"], to: "cancelled" },
  claim: { from: ["approved"], to: "available" },
  revoke: { from: ["approved", "available"], to: "revoked" },
  // approved: the access window ended before the key was claimed (lib/requests/expire-unclaimed.ts).
  expire: { from: ["approved", "available"], to: "expired" },
  checkIn: { from: ["available"], to: "completed" },
} as const satisfies Record<string, { from: readonly RequestStatus[]; to: RequestStatus }>;

export type Transition = keyof typeof transitions;

/** What the requester may do in each state (the buttons on My requests). */
export function requesterActions(status: RequestStatus): ("cancel" | "resubmit" | "remove" | "roll" | "checkIn")[] {
  switch (status) {
    case "pending":
    case "approved":
      return ["cancel"];
    case "available":
      return ["roll", "checkIn"];
    case "denied":
    case "revoked":
      return ["resubmit", "remove"];
    case "expired":
    case "cancelled":
    case "completed":
      return ["remove"];
  }
}

export const decided = (status: RequestStatus) => status !== "pending";

export const pastTense: Record<RequestStatus, string> = {
  pending: "pending",
  approved: "already approved",
  available: "already approved and its key claimed",
  denied: "already denied",
  cancelled: "already cancelled",
  revoked: "already revoked",
  expired: "already expired",
  completed: "already completed",
};

export type TransitionInput = {
  requestId: string;
  transition: Transition;
  actorId: string | null;
  actorType?: "user" | "system" | "auto-approve";
  /** When set, the request must belong to this user (requester actions). */
  requesterId?: string;
  comment?: string | null;
  data?: Record<string, unknown>;
};

/**
 * Moves a request along one transition inside `tx`, with its audit event. Throws DomainError
 * not_found (unknown or someone else's request) or conflict ("This request is already cancelled.").
 */
export async function applyTransition(tx: Tx, input: TransitionInput) {
  const { from, to } = transitions[input.transition];
  const ownership = input.requesterId ? eq(accessRequests.requesterId, input.requesterId) : undefined;
  const [row] = await tx
    .update(accessRequests)
    .set({
      status: to,
      updatedAt: sql`now()`,
      ...(input.transition === "approve" || input.transition === "deny" ? { decidedAt: sql`now()` } : {}),
    })
    .where(and(eq(accessRequests.id, input.requestId), inArray(accessRequests.status, [...from]), ownership))
    .returning();
  if (!row) {
    const [current] = await tx
      .select({ status: accessRequests.status })
      .from(accessRequests)
      .where(and(eq(accessRequests.id, input.requestId), ownership));
    if (!current) throw notFound("This request");
    throw new DomainError("conflict", `This request is ${pastTense[current.status]}.`);
  }
  await recordEvent(tx, {
    actorId: input.actorId,
    actorType: input.actorType ?? "user",
    action: `request.${to}`,
    subjectType: "request",
    subjectId: row.id,
    comment: input.comment ?? null,
    data: { from: [...from], ...input.data },
  });
  return row;
}
