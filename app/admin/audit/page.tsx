import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { ReversedRangeAlert } from "@/components/ui/reversed-range-alert";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { auditFiltersSchema, isApiKeyActor, listAudit, SUBJECT_TYPES, who, type AuditFilters } from "@/lib/audit/queries";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit log" };

/** Where an audit subject can be looked at, when it has a page. */
function subjectHref(type: string, id: string) {
  switch (type) {
    case "request":
      return `/admin/requests/${id}`;
    case "product":
      return `/admin/products/${id}`;
    case "plan":
      return `/admin/plans/${id}`;
    case "api_access_key":
      return `/admin/api-keys/${id}`;
    case "webhook_endpoint":
      return `/admin/webhooks/${id}`;
    case "setting":
      return id === "second_factor_policy" ? "/admin/security" : null;
    default:
      return null;
  }
}

const input = "h-10 rounded-md border border-zinc-300 bg-white px-3 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export default async function AuditPage({ searchParams }: PageProps<"/admin/audit">) {
  await requireRole(["admin"], "/admin/audit");
  const filters = auditFiltersSchema.parse(await searchParams);
  const { rows, nextBefore } = await listAudit(db, filters);
  const query = (f: AuditFilters) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== "") s.set(k, String(v));
    return s.toString();
  };
  const exportHref = `/api/admin/audit/export?${query({ ...filters, before: undefined })}`;
  const timeline = filters.subjectType && filters.subjectId;
  return (
    <>
      <PageHeader
        title={timeline ? `Audit timeline: ${filters.subjectType} ${filters.subjectId}` : "Audit log"}
        description="Every change in Portico, newest first. Rows cannot be changed or deleted."
      />
      <form role="search" aria-label="Filter the audit log" action="/admin/audit" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <label className="text-sm font-medium">
          Search
          <input name="q" type="search" defaultValue={filters.q} placeholder="Action, subject id or comment" className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <label className="text-sm font-medium">
          Action
          <input name="action" defaultValue={filters.action} placeholder="e.g. request.approved" className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <label className="text-sm font-medium">
          Subject type
          <select name="subjectType" defaultValue={filters.subjectType ?? ""} className={`${input} mt-1 block w-full font-normal`}>
            <option value="">Any</option>
            {SUBJECT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Subject id
          <input name="subjectId" defaultValue={filters.subjectId} className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <label className="text-sm font-medium">
          Who (email or API key name)
          <input name="actor" defaultValue={filters.actor} className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <label className="text-sm font-medium">
          From
          <input name="from" type="date" defaultValue={filters.from} className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <label className="text-sm font-medium">
          To
          <input name="to" type="date" defaultValue={filters.to} className={`${input} mt-1 block w-full font-normal`} />
        </label>
        <div className="flex items-end gap-2">
          <button type="submit" className="h-10 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500">
            Apply
          </button>
          <Link href="/admin/audit" className="text-sm text-indigo-600 underline">
            Clear
          </Link>
        </div>
      </form>
      <p className="mb-3 text-sm">
        <a href={exportHref} className="text-indigo-600 underline" download>
          Export this view as CSV
        </a>
      </p>
      <ReversedRangeAlert from={filters.from} to={filters.to} fromLabel="From" toLabel="To" />
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No events match. <Link href="/admin/audit" className="text-indigo-600 underline">Clear the filters</Link> to see everything.
        </p>
      ) : (
        <Table caption="Audit events, newest first" columns={[{ label: "When" }, { label: "Who" }, { label: "What" }, { label: "Subject" }, { label: "From" }, { label: "Comment" }]} className="min-w-[48rem]">
          {rows.map((e) => {
            const href = subjectHref(e.subjectType, e.subjectId);
            return (
              <tr key={e.id} data-testid="audit-row">
                <td className="whitespace-nowrap py-2 pr-4 align-top">{formatDateTime(e.createdAt)}</td>
                <td className="py-2 pr-4 align-top">
                  {isApiKeyActor(e) ? (
                    <>
                      {e.actorKeyId ? (
                        <Link href={`/admin/api-keys/${e.actorKeyId}`} className="break-words text-indigo-600 hover:underline">
                          {e.actorName}
                        </Link>
                      ) : (
                        <span className="break-words">{e.actorName}</span>
                      )}
                      <span className="block text-xs text-zinc-500" data-testid="actor-kind">
                        API key
                      </span>
                    </>
                  ) : (
                    who(e)
                  )}
                </td>
                <td className="py-2 pr-4 align-top font-mono text-xs">{e.action}</td>
                <td className="py-2 pr-4 align-top">
                  <span className="text-zinc-500">{e.subjectType}</span>{" "}
                  {href ? (
                    <Link href={href} className="break-all font-mono text-xs text-indigo-600 hover:underline">
                      {e.subjectId}
                    </Link>
                  ) : (
                    <span className="break-all font-mono text-xs">{e.subjectId}</span>
                  )}
                  <Link
                    href={`/admin/audit?${query({ subjectType: e.subjectType as AuditFilters["subjectType"], subjectId: e.subjectId })}`}
                    className="block text-xs text-indigo-600 hover:underline"
                  >
                    Timeline
                  </Link>
                </td>
                <td className="py-2 pr-4 align-top text-xs">{e.ip ?? "—"}</td>
                <td className="max-w-xs whitespace-pre-wrap break-words py-2 align-top">{e.comment ?? ""}</td>
              </tr>
            );
          })}
        </Table>
      )}
      <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
        {filters.before ? (
          <Link href={`/admin/audit?${query({ ...filters, before: undefined })}`} className="text-indigo-600 underline">
            ← Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link href={`/admin/audit?${query({ ...filters, before: nextBefore })}`} className="text-indigo-600 underline">
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
