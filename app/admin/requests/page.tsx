import type { Metadata } from "next";
import { Suspense } from "react";
import { FilterActions, filterBarClass, FilterField } from "@/components/ui/filter-bar";
import { Input } from "@/components/ui/input";
import { MoreFilters } from "@/components/ui/more-filters";
import { PageHeader } from "@/components/ui/page-header";
import { ReversedRangeAlert } from "@/components/ui/reversed-range-alert";
import { Select } from "@/components/ui/select";
import { db, indexOrderDb } from "@/db/client";
import { requestStatus } from "@/db/schema";
import { queueChoices } from "@/lib/admin/queue-choices";
import { QUEUE_COLUMNS, parseQueueParams, queueHref } from "@/lib/admin/queue-params";
import { countQueue, isFiltered, type QueueRow, queueDetail, queuePage, searchesReasons } from "@/lib/admin/queue-query";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { formatCappedCount } from "@/lib/format";
import { requestState } from "@/lib/requests/status-label";
import { type RecentCalls, recentCallsOfRequests } from "@/lib/usage/queries";
import { DetailPanel } from "./detail-panel";
import { PanelSheet } from "./panel-sheet";
import { QueueTable, type QueueTableRow } from "./queue-table";

export const metadata: Metadata = { title: "Approval queue" };

export default async function QueuePage({ searchParams }: PageProps<"/admin/requests">) {
  const user = await requireRole(APPROVER_ROLES, "/admin/requests");
  const params = parseQueueParams(await searchParams);
  // A text too short to look for in reasons (lib/admin/queue-query.ts searchesReasons): the page says so.
  const shortSearch = Boolean(params.q) && !searchesReasons(params.q ?? "");
  // The count is not waited for: the rows render at once and "1,000+ requests" streams in after; if
  // it fails, the toolbar goes without it and the rows already shown stay. A filtered view is
  // counted with its page, or beside it, by queuePage (lib/admin/queue-query.ts), which leaves a
  // count beside to stream in too (`countLater`).
  const counting = isFiltered(params) ? null : countQueue(indexOrderDb, user, params).catch(() => null);
  const [{ rows, cursors, count: counted, counting: countingLater }, { plans: planRows, products: productRows, preferences }, detail, recentCalls] = await Promise.all([
    queuePage(indexOrderDb, user, params, { countLater: true }),
    queueChoices(db, user),
    params.open ? queueDetail(db, user, params.open) : Promise.resolve(null),
    // the revoke confirmation names the request's calls today and yesterday
    params.open ? recentCallsOfRequests(db, user, [params.open]) : Promise.resolve(new Map<string, RecentCalls>()),
  ]);

  return (
    <>
      <PageHeader
        title="Approval queue"
        description={`${user.role === "admin" ? "Every access request." : "Access requests for your products."} Pending ones show by default; choose another Status for the rest.`}
      />
      <form action="/admin/requests" className={`mb-6 ${filterBarClass}`} aria-label="Filter requests">
        <FilterField label="Search">
          <Input
            name="q"
            type="search"
            defaultValue={params.q ?? ""}
            placeholder="Who, app, product, reason"
            aria-describedby={shortSearch ? "short-search-note" : undefined}
          />
        </FilterField>
        <FilterField label="Status">
          <Select name="status" defaultValue={params.status} className="px-2">
            <option value="all">All</option>
            {/* The values stay the database's (links and saved URLs name them); the words are the badges'. */}
            {requestStatus.enumValues.map((s) => (
              <option key={s} value={s}>
                {requestState(s).label}
              </option>
            ))}
          </Select>
        </FilterField>
        <MoreFilters active={[params.plan, params.product, params.requester, params.from, params.to].filter(Boolean).length}>
          <ChoiceFilter name="plan" label="Plan" anyLabel="Any plan" value={params.plan} choices={planRows} />
          <ChoiceFilter name="product" label="Product" anyLabel="Any product" value={params.product} choices={productRows} />
          <FilterField label="Requester">
            <Input name="requester" defaultValue={params.requester ?? ""} placeholder="Name or email" />
          </FilterField>
          <FilterField label="Requested from">
            <Input name="from" type="date" defaultValue={params.from ?? ""} />
          </FilterField>
          <FilterField label="Requested until">
            <Input name="to" type="date" defaultValue={params.to ?? ""} />
          </FilterField>
        </MoreFilters>
        {/* Applying filters keeps the sort and page size; the page goes back to 1. */}
        <input type="hidden" name="size" value={params.size} />
        <input type="hidden" name="sort" value={params.sort} />
        <input type="hidden" name="dir" value={params.dir} />
        <FilterActions resetHref="/admin/requests" />
      </form>

      <ReversedRangeAlert from={params.from} to={params.to} fromLabel="Requested from" toLabel="Requested until" />
      {shortSearch ? (
        <p id="short-search-note" className="mb-4 text-sm text-zinc-600 dark:text-zinc-400" data-testid="short-search-note">
          “{params.q}” was looked for in requesters, apps and products. Reasons are searched when the text has three letters or
          digits in a row.
        </p>
      ) : null}
      {/* With a request open the panel takes the right side from 1024 px (the table drops its lesser
          columns and goes dense to keep the key ones in view beside the admin sidebar); below that it
          is a full-screen sheet. */}
      <div className={params.open ? "grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_18rem]" : ""}>
        <QueueTable
          rows={rows.map(tableRow)}
          count={
            <Suspense fallback={<span className="text-zinc-500 dark:text-zinc-400">counting…</span>}>
              <QueueCount count={counting ?? countingLater ?? Promise.resolve(counted)} />
            </Suspense>
          }
          params={params}
          cursors={cursors}
          hiddenColumns={visibleColumnsLeft(preferences.queueHiddenColumns ?? [])}
        />
        {params.open ? (
          <PanelSheet closeHref={queueHref(params, { open: undefined })}>
            <DetailPanel
              detail={detail}
              closeHref={queueHref(params, { open: undefined })}
              viewer={user}
              recentCalls={params.open ? recentCalls.get(params.open) : undefined}
            />
          </PanelSheet>
        ) : null}
      </div>
    </>
  );
}

/**
 * What the table shows of a request, and nothing more: every field handed to a client component is
 * written into the page's payload. Parts only where a request spans several products.
 */
function tableRow(r: QueueRow): QueueTableRow {
  return {
    id: r.id,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    startsAt: r.startsAt.toISOString(),
    durationDays: r.durationDays,
    reason: r.reason,
    planName: r.planName,
    approvalsRequired: r.approvalsRequired,
    approvals: r.approvals,
    requesterName: r.requesterName,
    requesterEmail: r.requesterEmail,
    appName: r.appName,
    productNames: r.productNames,
    parts: r.parts.length > 1 ? r.parts : [],
    mayDecide: r.mayDecide,
    whyNot: r.whyNot,
    handoff: r.handoff,
    extension: r.extension,
  };
}

/** "1,000+ requests", once the count query answers. */
async function QueueCount({ count }: { count: Promise<{ total: number; capped: boolean } | null> }) {
  const counted = await count;
  if (!counted) return null;
  return `${formatCappedCount(counted)} ${counted.total === 1 ? "request" : "requests"}`;
}

/** A saved choice that hides every column (possible before the chooser kept one) shows them all. */
function visibleColumnsLeft(hidden: string[]) {
  return QUEUE_COLUMNS.every((c) => hidden.includes(c)) ? [] : hidden;
}

/** One of the queue's pick-one filters (plan, product): "any" first, then the choices by name. */
function ChoiceFilter(p: { name: string; label: string; anyLabel: string; value?: string; choices: { id: string; name: string }[] }) {
  return (
    <FilterField label={p.label}>
      <Select name={p.name} defaultValue={p.value ?? ""} className="px-2">
        <option value="">{p.anyLabel}</option>
        {p.choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </Select>
    </FilterField>
  );
}
