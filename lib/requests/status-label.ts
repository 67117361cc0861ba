import type { RequestStatus } from "@/db/schema";
import { formatDateTime } from "@/lib/format";

/**
 * The one vocabulary for a request's state, in badges, the timeline and emails (issue 18): the words
 * people read, never the database's (`available` is "Active", `completed` is "Checked in"), and
 * one colour per state. Import from here rather than writing a state's name or colour again.
 */
export type RequestState = "pending" | "approved" | "active" | "denied" | "revoked" | "expired" | "cancelled" | "checked_in";

export type StatusTone = "amber" | "indigo" | "green" | "red" | "orange" | "neutral" | "sky" | "violet";

export const REQUEST_STATES: Record<RequestState, { label: string; description: string; tone: StatusTone }> = {
  pending: { label: "Pending", description: "Waiting for an approver's decision.", tone: "amber" },
  approved: { label: "Approved", description: "Approved, waiting for its key to be generated.", tone: "indigo" },
  active: { label: "Active", description: "The key works.", tone: "green" },
  denied: { label: "Denied", description: "An approver said no; no key was made.", tone: "red" },
  revoked: { label: "Revoked", description: "Access was withdrawn; the key no longer works.", tone: "orange" },
  expired: { label: "Expired", description: "The access period ended; the key no longer works.", tone: "violet" },
  cancelled: { label: "Cancelled", description: "Withdrawn by the requester before a decision.", tone: "neutral" },
  checked_in: { label: "Checked in", description: "The requester gave up access; the key no longer works.", tone: "sky" },
};

/** The database's status names mapped onto the vocabulary. */
export const STATE_OF_STATUS: Record<RequestStatus, RequestState> = {
  pending: "pending",
  approved: "approved",
  available: "active",
  denied: "denied",
  revoked: "revoked",
  expired: "expired",
  cancelled: "cancelled",
  completed: "checked_in",
};

export function requestState(status: RequestStatus) {
  const state = STATE_OF_STATUS[status];
  return { state, ...REQUEST_STATES[state] };
}

/** A request's badge: its state's word and colour, with the detail that matters now (approvals so far, start date). */
export function statusLabel(
  r: { status: RequestStatus; approvals: number; approvalsRequired: number; startsAt: Date },
  now = new Date(),
): { label: string; description: string; tone: StatusTone } {
  const { label, description, tone } = requestState(r.status);
  if (r.status === "pending" && r.approvalsRequired > 1) {
    return { label: `${label} ${r.approvals} of ${r.approvalsRequired} approvals`, description, tone };
  }
  if (r.status === "approved" && r.startsAt > now) {
    return { label: `${label} — active from ${formatDateTime(r.startsAt)}`, description, tone };
  }
  return { label, description, tone };
}
