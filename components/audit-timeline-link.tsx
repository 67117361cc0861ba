import Link from "next/link";

/** "Audit timeline": every audit event about one object (admins; /admin/audit refuses others). */
export function AuditTimelineLink({ subjectType, subjectId, className }: { subjectType: string; subjectId: string; className?: string }) {
  return (
    <Link
      href={`/admin/audit?subjectType=${encodeURIComponent(subjectType)}&subjectId=${encodeURIComponent(subjectId)}`}
      className={className ?? "text-sm text-indigo-600 underline"}
    >
      Audit timeline
    </Link>
  );
}
