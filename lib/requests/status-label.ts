import type { RequestStatus } from "@/db/schema";
import { formatDateTime } from "@/lib/format";

export type StatusTone = "amber" | "green" | "red" | "neutral" | "indigo";

/** The words the UI shows for a request's state (DESIGN.md §2), with a colour. */
export function statusLabel(
  r: { status: RequestStatus; approvals: number; approvalsRequired: number; startsAt: Date },
  now = new Date(),
): { label: string; tone: StatusTone } {
  switch (r.status) {
    case "pending":
      return r.approvalsRequired > 1
        ? { label: `Pending ${r.approvals} of ${r.approvalsRequired} approvals`, tone: "amber" }
        : { label: "Pending", tone: "amber" };
    case "approved":
      return r.startsAt > now
        ? { label: `Approved — available from ${formatDateTime(r.startsAt)}`, tone: "indigo" }
        : { label: "Approved", tone: "indigo" };
    case "available":
      return { label: "Available", tone: "green" };
    case "denied":
      return { label: "Denied", tone: "red" };
    case "cancelled":
      return { label: "Cancelled", tone: "neutral" };
    case "revoked":
      return { label: "Revoked", tone: "red" };
    case "expired":
      return { label: "Expired", tone: "neutral" };
    case "completed":
      return { label: "Completed", tone: "neutral" };
  }
}
