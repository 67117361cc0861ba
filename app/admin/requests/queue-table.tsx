"use client";

import { Link } from "@/components/ui/link";
import { type ReactNode, startTransition, useEffect, useMemo, useRef, useState } from "react";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { EmailText } from "@/components/email-text";
import { ExtensionNote, type ExtensionFacts } from "@/components/extension-note";
import { HandoffNote } from "@/components/handoff-note";
import { RequestParts } from "@/components/request-parts";
import { StatusBadge } from "@/components/status-badge";
import type { RequestStatus } from "@/db/schema";
import {
  PAGE_SIZES,
  type QueueColumn,
  type QueueParams,
  type QueueSort,
  queueHref,
} from "@/lib/admin/queue-params";
import { formatDateTime, formatDuration } from "@/lib/format";
import type { HandoffStatus } from "@/lib/requests/handoff-status";
import type { PartState } from "@/lib/requests/part-words";
import { saveQueueColumnsAction } from "./actions";
import { BulkDecision, type BulkOutcome, BulkResult } from "./bulk-decision";

export type QueueTableRow = {
  id: string;
  status: RequestStatus;
  createdAt: string;
  startsAt: string;
  durationDays: number | null;
  reason: string;
  planName: string;
  approvalsRequired: number;
  approvals: number;
  requesterName: string | null;
  requesterEmail: string;
  appName: string;
  productNames: string[];
  /** Each product with who approved it, when there are several: a request spanning several owners waits for each. */
  parts: PartState[];
  /** Whether the viewer may approve or deny it now; when not because of who they are, why. */
  mayDecide: boolean;
  whyNot: string | null;
  /** External plans: whom the request waits for, or that it fell back to manual approval. */
  handoff: HandoffStatus;
  /** Set when the request asks for more time on access already granted (Extend). */
  extension: ExtensionFacts | null;
};

const SORTS: readonly string[] = [
  "createdAt",
  "requester",
  "status",
  "plan",
  "app",
  "requestedFor",
] satisfies QueueSort[];

// With a request open beside the table these give way, so requester, products, plan, app, status and
// requested-at stay in view at 1280 px (the column the queue is sorted by always stays).
const LESSER_COLUMNS: QueueColumn[] = ["reason", "requestedFor"];

export function QueueTable({
  rows,
  count,
  params,
  cursors,
  hiddenColumns,
}: {
  rows: QueueTableRow[];
  /** "1,000+ requests": rendered by the server, which streams it in when counted. */
  count: ReactNode;
  params: QueueParams;
  cursors: { next: string | null; previous: string | null };
  hiddenColumns: string[];
}) {
  const [selected, setSelected] = useState<Record<string, boolean>>({});
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const compact = Boolean(params.open);

  // Closing the panel (its Close link, Escape) brings focus back to the row it showed.
  const lastOpen = useRef(params.open);
  useEffect(() => {
    const was = lastOpen.current;
    lastOpen.current = params.open;
    if (was && !params.open) {
      document.querySelector<HTMLElement>(`tr[data-row-id="${CSS.escape(was)}"] a`)?.focus();
    }
  }, [params.open]);

  const columns = useMemo<DataTableColumn<QueueTableRow>[]>(
    () => [
      {
        id: "requester",
        label: "Requester",
        sortable: true,
        phone: "title",
        className: "[overflow-wrap:anywhere]",
        cell: (r) => (
          <Link
            href={queueHref(params, { open: r.id })}
            scroll={false}
            aria-current={params.open === r.id ? "true" : undefined}
            // A name breaks anywhere, so a long one never holds the column wider than the room left
            // beside the detail panel and the admin sidebar at 1280 px; an email only before its "@"
            // (EmailText), as wide as its longer part or the column.
            className="block font-medium text-indigo-700 wrap-anywhere hover:underline dark:text-indigo-400"
          >
            {r.requesterName ?? <EmailText text={r.requesterEmail} />}
            {r.requesterName ? (
              <EmailText text={r.requesterEmail} className="block text-xs font-normal text-zinc-600 dark:text-zinc-400" />
            ) : null}
          </Link>
        ),
      },
      {
        id: "status",
        label: "Status",
        sortable: true,
        // Beside the panel the badge may wrap ("Pending" / "0 of 2"), so the six key columns fit.
        className: compact ? "[&_[data-status]]:whitespace-normal" : undefined,
        cell: (r) => (
          <>
            <StatusBadge
              status={r.status}
              approvals={r.approvals}
              approvalsRequired={r.approvalsRequired}
              startsAt={new Date(r.startsAt)}
            />
            <HandoffNote handoff={r.handoff} audience="approver" className="mt-1 max-w-48" />
            <ExtensionNote extension={r.extension} status={r.status} className="mt-1 max-w-56" />
          </>
        ),
      },
      { id: "app", label: "App", sortable: true, cell: (r) => r.appName },
      {
        id: "products",
        label: "Products",
        // A request spanning several owners' products says which part still waits.
        cell: (r) =>
          r.parts.length > 1 ? (
            <RequestParts parts={r.parts} status={r.status} />
          ) : (
            r.productNames.join(", ")
          ),
      },
      { id: "plan", label: "Plan", sortable: true, cell: (r) => r.planName },
      {
        id: "requestedFor",
        label: "Requested for",
        sortable: true,
        phone: "hidden",
        // In words, as the request's page states it (Starts, Duration): "From 24 May 2026, 16:07 UTC /
        // for 180 days", the length on a line of its own so the column grows no wider than the date.
        cell: (r) => (
          <>
            From {formatDateTime(new Date(r.startsAt))}{" "}
            <span className="block">{r.durationDays === null ? "with no expiry" : `for ${formatDuration(r.durationDays)}`}</span>
          </>
        ),
      },
      {
        id: "reason",
        label: "Reason",
        phone: "hidden",
        cell: (r) => <span className="line-clamp-2 max-w-xs break-words">{r.reason}</span>,
      },
      {
        id: "createdAt",
        label: "Requested at",
        sortable: true,
        cell: (r) => formatDateTime(new Date(r.createdAt)),
      },
    ],
    [params, compact],
  );

  const selectedIds = Object.keys(selected).filter(
    (id) => selected[id] && rows.some((r) => r.id === id),
  );

  return (
    <div className="min-w-0 space-y-4">
      <BulkResult outcome={outcome} />
      {selectedIds.length > 0 ? (
        <BulkDecision
          requests={rows.filter((r) => selectedIds.includes(r.id))}
          onDone={(result) => {
            setOutcome(result);
            setSelected({});
          }}
        />
      ) : null}
      <DataTable
        rows={rows}
        columns={columns}
        getRowId={(r) => r.id}
        caption="Access requests"
        rowTestId="queue-row"
        activeRowId={params.open}
        minWidth={compact ? "0" : "48rem"}
        dense={compact}
        layoutHidden={compact ? LESSER_COLUMNS.filter((c) => c !== params.sort) : []}
        toolbar={count}
        sort={{
          id: params.sort,
          dir: params.dir,
          href: (id, dir) =>
            queueHref(params, {
              sort: (SORTS.includes(id) ? id : "createdAt") as QueueSort,
              dir,
              open: undefined,
            }),
        }}
        selection={{
          selected,
          onChange: setSelected,
          canSelect: (r) => r.mayDecide,
          rowLabel: (r) => `Select request from ${r.requesterEmail}`,
          allLabel: "Select all requests on this page",
          whyNot: (r) => (r.status === "pending" ? r.whyNot : null),
        }}
        columnChooser={{
          hidden: hiddenColumns,
          onChange: (hidden) => {
            const fd = new FormData();
            fd.set("hidden", hidden.join(","));
            startTransition(() => void saveQueueColumnsAction(null, fd));
          },
        }}
        paging={{
          previousHref: cursors.previous
            ? queueHref(params, { before: cursors.previous, after: undefined, open: undefined })
            : null,
          nextHref: cursors.next
            ? queueHref(params, { after: cursors.next, before: undefined, open: undefined })
            : null,
          summary: rows.length > 0 ? <>Showing {rows.length} of {count}</> : null,
          pageSize: {
            value: params.size,
            options: PAGE_SIZES,
            href: (size) => queueHref(params, { size, open: undefined }),
          },
        }}
        empty={{
          title: "No requests match this view",
          body: (
            <>
              Change the filters, or{" "}
              <a
                href="/admin/requests?status=all"
                className="text-indigo-600 underline dark:text-indigo-400"
              >
                show every request
              </a>
              .
            </>
          ),
        }}
      />
    </div>
  );
}
