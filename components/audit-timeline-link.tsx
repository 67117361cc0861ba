import { Link } from "@/components/ui/link";
import type { UserRole } from "@/db/schema";

/**
 * "Audit timeline": every audit event about one object. The audit log is admin-only
 * (/admin/audit refuses others), so the link renders for admins and nothing for anyone else.
 */
export function AuditTimelineLink({
  subjectType,
  subjectId,
  viewerRole,
  className,
}: {
  subjectType: string;
  subjectId: string;
  viewerRole: UserRole;
  className?: string;
}) {
  if (viewerRole !== "admin") return null;
  return (
    <Link
      href={`/admin/audit?subjectType=${encodeURIComponent(subjectType)}&subjectId=${encodeURIComponent(subjectId)}`}
      className={className ?? "text-sm text-indigo-600 dark:text-indigo-400 underline"}
    >
      Audit timeline
    </Link>
  );
}
