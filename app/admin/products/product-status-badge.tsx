import { Badge } from "@/components/ui/badge";

const look = {
  draft: { tone: "neutral", label: "Draft" },
  published: { tone: "green", label: "Published" },
  archived: { tone: "amber", label: "Archived" },
} as const;

export function ProductStatusBadge({ status }: { status: keyof typeof look }) {
  return (
    <Badge tone={look[status].tone} data-status={status}>
      {look[status].label}
    </Badge>
  );
}
