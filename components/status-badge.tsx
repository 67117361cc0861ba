import type { RequestStatus } from "@/db/schema";
import { statusLabel } from "@/lib/requests/status-label";
import { Badge } from "./ui/badge";

export function StatusBadge(props: { status: RequestStatus; approvals: number; approvalsRequired: number; startsAt: Date }) {
  const { label, tone } = statusLabel(props);
  return (
    <Badge tone={tone} className="whitespace-nowrap" data-status={props.status}>
      {label}
    </Badge>
  );
}
