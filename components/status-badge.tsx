import type { RequestStatus } from "@/db/schema";
import { statusLabel } from "@/lib/requests/status-label";
import { Badge } from "./ui/badge";

/** A request's state in the one vocabulary (lib/requests/status-label.ts); the description is its tooltip. */
export function StatusBadge(props: { status: RequestStatus; approvals: number; approvalsRequired: number; startsAt: Date }) {
  const { label, description, tone } = statusLabel(props);
  return (
    <Badge tone={tone} className="whitespace-nowrap" title={description} data-status={props.status}>
      {label}
    </Badge>
  );
}
