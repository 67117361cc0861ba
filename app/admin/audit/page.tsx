import type { Metadata } from "next";
import { FilterActions, FilterField, ResetFiltersHint, filterBarClass } from "@/components/ui/filter-bar";
import { Input } from "@/components/ui/input";
import { Link } from "@/components/ui/link";
import { MoreFilters } from "@/components/ui/more-filters";
import { PageHeader } from "@/components/ui/page-header";
import { ReversedRangeAlert } from "@/components/ui/reversed-range-alert";
import { Select } from "@/components/ui/select";
import { AuditTable, type AuditTableRow } from "./audit-table";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { AUDIT_ACTION_GROUPS, auditActionWords } from "@/lib/audit/action-words";
import { auditFiltersSchema, isApiKeyActor, listAudit, SUBJECT_TYPES, who, type AuditFilters } from "@/lib/audit/queries";
import { subjectKey, subjectNames } from "@/lib/audit/subject-names";
import { LabelParts } from "@/components/label-parts";

export const metadata: Metadata = { title: "Audit log" };

const SUBJECT_WORDS: Record<(typeof SUBJECT_TYPES)[number], string> = {
  request: "Access request",
  key: "Key",
  app: "App",
  product: "Product",
  plan: "Plan",
  user: "Person",
  api_access_key: "API access key",
  webhook_endpoint: "Webhook endpoint",
  setting: "Setting",
};

export default async function AuditPage({ searchParams }: PageProps<"/admin/audit">) {
  await requireRole(["admin"], "/admin/audit");
  const filters = auditFiltersSchema.parse(await searchParams);
  const { rows, nextBefore } = await listAudit(db, filters);
  const timeline = filters.subjectType && filters.subjectId ? { subjectType: filters.subjectType, subjectId: filters.subjectId } : null;
  // The page's subjects by name (and the timeline's own subject, when it is not on this page).
  const names = await subjectNames(db, timeline ? [...rows, timeline] : rows);
  const timelineName = timeline ? names.get(subjectKey(timeline)) : undefined;
  const known = AUDIT_ACTION_GROUPS.some((g) => filters.action && Object.hasOwn(g.actions, filters.action));
  const query = (f: AuditFilters) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== "") s.set(k, String(v));
    return s.toString();
  };
  const tableRows: AuditTableRow[] = rows.map((e) => ({
    id: e.id,
    createdAt: e.createdAt,
    who: who(e),
    apiKey: isApiKeyActor(e) ? { name: e.actorName ?? "Removed key", href: e.actorKeyId ? `/admin/api-keys/${e.actorKeyId}` : null } : null,
    action: e.action,
    actionWords: auditActionWords(e.action),
    subjectWords: SUBJECT_WORDS[e.subjectType as keyof typeof SUBJECT_WORDS] ?? e.subjectType,
    subjectId: e.subjectId,
    subject: names.get(subjectKey(e)) ?? null,
    timelineHref: `/admin/audit?${query({ subjectType: e.subjectType as AuditFilters["subjectType"], subjectId: e.subjectId })}`,
    ip: e.ip,
    comment: e.comment,
  }));
  const exportHref = `/api/admin/audit/export?${query({ ...filters, before: undefined })}`;
  return (
    <>
      <PageHeader
        title={timeline ? `Audit timeline: ${filters.subjectType} ${filters.subjectId}` : "Audit log"}
        description={
          timeline ? (
            <>
              Everything that happened to{" "}
              {timelineName?.href ? (
                <Link href={timelineName.href} className="font-medium text-indigo-600 underline dark:text-indigo-400">
                  <LabelParts parts={timelineName.parts} />
                </Link>
              ) : timelineName ? (
                <LabelParts parts={timelineName.parts} />
              ) : (
                "this subject"
              )}
              , newest first.
            </>
          ) : (
            "Every change in Portico, newest first. Rows cannot be changed or deleted."
          )
        }
      />
      <form role="search" aria-label="Filter the audit log" action="/admin/audit" className={`mb-4 ${filterBarClass}`}>
        <FilterField label="Search">
          <Input name="q" type="search" defaultValue={filters.q} placeholder="Action, subject id, comment" />
        </FilterField>
        <FilterField label="Action">
          <Select name="action" defaultValue={filters.action ?? ""}>
            <option value="">Any action</option>
            {filters.action && !known ? <option value={filters.action}>{auditActionWords(filters.action)}</option> : null}
            {AUDIT_ACTION_GROUPS.map((g) => (
              <optgroup key={g.group} label={g.group}>
                {Object.entries(g.actions).map(([code, words]) => (
                  <option key={code} value={code}>
                    {words}
                  </option>
                ))}
              </optgroup>
            ))}
          </Select>
        </FilterField>
        {/* On a phone seven filters filled the first screen: search and action stay, the rest fold away. */}
        <MoreFilters active={[filters.subjectType, filters.subjectId, filters.actor, filters.from, filters.to].filter(Boolean).length}>
          <FilterField label="Subject type">
            <Select name="subjectType" defaultValue={filters.subjectType ?? ""}>
              <option value="">Any</option>
              {SUBJECT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {SUBJECT_WORDS[t]}
                </option>
              ))}
            </Select>
          </FilterField>
          <FilterField label="Subject id">
            <Input name="subjectId" defaultValue={filters.subjectId} />
          </FilterField>
          <FilterField label="Who (email or API key name)">
            <Input name="actor" defaultValue={filters.actor} />
          </FilterField>
          <FilterField label="From">
            <Input name="from" type="date" defaultValue={filters.from} />
          </FilterField>
          <FilterField label="To">
            <Input name="to" type="date" defaultValue={filters.to} />
          </FilterField>
        </MoreFilters>
        <FilterActions resetHref="/admin/audit" />
      </form>
      <p className="mb-3 text-sm">
        <a href={exportHref} className="text-indigo-600 dark:text-indigo-400 underline" download>
          Export this view as CSV
        </a>
      </p>
      <ReversedRangeAlert from={filters.from} to={filters.to} fromLabel="From" toLabel="To" />
      <AuditTable
        rows={tableRows}
        empty={{
          title: "No events match",
          body: <ResetFiltersHint href="/admin/audit" toSee="everything" />,
        }}
      />
      <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
        {filters.before ? (
          <Link href={`/admin/audit?${query({ ...filters, before: undefined })}`} className="text-indigo-600 dark:text-indigo-400 underline">
            ← Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link href={`/admin/audit?${query({ ...filters, before: nextBefore })}`} className="text-indigo-600 dark:text-indigo-400 underline">
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
