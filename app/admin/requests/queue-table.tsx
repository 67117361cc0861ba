"use client";

import {
  columnVisibilityFeature,
  createColumnHelper,
  rowPaginationFeature,
  rowSelectionFeature,
  rowSortingFeature,
  type RowSelectionState,
  type SortingState,
  tableFeatures,
  useTable,
  type ColumnVisibilityState,
} from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition, useMemo, useState } from "react";
import { StatusBadge } from "@/components/status-badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import type { RequestStatus } from "@/db/schema";
import { PAGE_SIZES, QUEUE_COLUMNS, type QueueColumn, type QueueParams, queueHref, SORTABLE, type QueueSort } from "@/lib/admin/queue-params";
import { saveQueueColumnsAction } from "./actions";
import { ExtensionNote, type ExtensionFacts } from "@/components/extension-note";
import { HandoffNote } from "@/components/handoff-note";
import { RequestParts } from "@/components/request-parts";
import type { HandoffStatus } from "@/lib/requests/handoff-status";
import type { PartState } from "@/lib/requests/part-words";
import { DecisionForm } from "./decision-form";

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
  approvedByMe: boolean;
  requesterName: string | null;
  requesterEmail: string;
  appName: string;
  productNames: string[];
  /** Each product with who approved it: a request spanning several owners waits for each. */
  parts: PartState[];
  /** Whether the viewer may approve or deny it now; when not because of who they are, why. */
  mayDecide: boolean;
  whyNot: string | null;
  /** External plans: whom the request waits for, or that it fell back to manual approval. */
  handoff: HandoffStatus;
  /** Set when the request asks for more time on access already granted (Extend). */
  extension: ExtensionFacts | null;
};

// Server-side pagination and sorting: the table renders what the server sent and turns clicks
// into URL changes, so every view is shareable and survives reload.
const features = tableFeatures({ rowSortingFeature, columnVisibilityFeature, rowSelectionFeature, rowPaginationFeature });
const helper = createColumnHelper<typeof features, QueueTableRow>();
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

const columnLabels: Record<QueueColumn, string> = {
  requester: "Requester",
  status: "Status",
  app: "App",
  products: "Products",
  plan: "Plan",
  requestedFor: "Requested for",
  reason: "Reason",
  createdAt: "Requested at",
};

export function QueueTable({
  rows,
  total,
  capped,
  params,
  hiddenColumns,
}: {
  rows: QueueTableRow[];
  total: number;
  capped: boolean;
  params: QueueParams;
  hiddenColumns: string[];
}) {
  const router = useRouter();
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>(() =>
    Object.fromEntries(hiddenColumns.map((c) => [c, false])),
  );
  const sorting: SortingState = [{ id: params.sort, desc: params.dir === "desc" }];

  const columns = useMemo(
    () =>
      helper.columns([
        helper.display({
          id: "select",
          enableHiding: false,
          enableSorting: false,
          header: ({ table }) => (
            <input
              type="checkbox"
              aria-label="Select all requests on this page"
              checked={table.getIsAllPageRowsSelected()}
              onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
            />
          ),
          cell: ({ row }) => (
            <input
              type="checkbox"
              aria-label={`Select request from ${row.original.requesterEmail}`}
              title={row.original.status === "pending" ? (row.original.whyNot ?? undefined) : undefined}
              checked={row.getIsSelected()}
              disabled={!row.getCanSelect()}
              onChange={(e) => row.toggleSelected(e.target.checked)}
            />
          ),
        }),
        helper.accessor("requesterEmail", {
          id: "requester",
          header: columnLabels.requester,
          cell: ({ row }) => (
            <Link href={queueHref(params, { open: row.original.id })} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
              {row.original.requesterName ?? row.original.requesterEmail}
              {row.original.requesterName ? (
                <span className="block text-xs font-normal text-zinc-500">{row.original.requesterEmail}</span>
              ) : null}
            </Link>
          ),
        }),
        helper.accessor("status", {
          id: "status",
          header: columnLabels.status,
          cell: ({ row }) => (
            <>
              <StatusBadge
                status={row.original.status}
                approvals={row.original.approvals}
                approvalsRequired={row.original.approvalsRequired}
                startsAt={new Date(row.original.startsAt)}
              />
              <HandoffNote handoff={row.original.handoff} audience="approver" className="mt-1 max-w-48" />
              <ExtensionNote extension={row.original.extension} status={row.original.status} className="mt-1 max-w-56" />
            </>
          ),
        }),
        helper.accessor("appName", { id: "app", header: columnLabels.app }),
        helper.accessor((r) => r.productNames.join(", "), {
          id: "products",
          header: columnLabels.products,
          enableSorting: false,
          // A request spanning several owners' products says which part still waits.
          cell: ({ row }) =>
            row.original.parts.length > 1 ? <RequestParts parts={row.original.parts} status={row.original.status} /> : row.original.productNames.join(", "),
        }),
        helper.accessor("planName", { id: "plan", header: columnLabels.plan }),
        helper.accessor("startsAt", {
          id: "requestedFor",
          header: columnLabels.requestedFor,
          cell: ({ row }) =>
            `${dateTime.format(new Date(row.original.startsAt))} · ${row.original.durationDays === null ? "no expiry" : `${row.original.durationDays} d`}`,
        }),
        helper.accessor("reason", {
          id: "reason",
          header: columnLabels.reason,
          enableSorting: false,
          cell: ({ getValue }) => <span className="line-clamp-2 max-w-xs break-words">{getValue()}</span>,
        }),
        helper.accessor("createdAt", {
          id: "createdAt",
          header: columnLabels.createdAt,
          cell: ({ getValue }) => dateTime.format(new Date(getValue())),
        }),
      ]),
    [params],
  );

  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (r) => r.id,
    rowCount: total,
    manualPagination: true,
    manualSorting: true,
    enableRowSelection: (row) => row.original.mayDecide,
    state: {
      sorting,
      columnVisibility,
      rowSelection,
      pagination: { pageIndex: params.page - 1, pageSize: params.size },
    },
    onRowSelectionChange: setRowSelection,
    onColumnVisibilityChange: (updater) => {
      const next = typeof updater === "function" ? updater(columnVisibility) : updater;
      setColumnVisibility(next);
      const fd = new FormData();
      fd.set(
        "hidden",
        Object.entries(next)
          .filter(([, visible]) => !visible)
          .map(([id]) => id)
          .join(","),
      );
      startTransition(() => void saveQueueColumnsAction(null, fd));
    },
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      const first = next[0];
      const sort = (first && (SORTABLE as readonly string[]).includes(first.id) ? first.id : "createdAt") as QueueSort;
      router.push(queueHref(params, { sort, dir: first?.desc ? "desc" : "asc", page: 1, open: undefined }));
    },
  });

  const selectedIds = Object.keys(rowSelection).filter((id) => rowSelection[id] && rows.some((r) => r.id === id));
  const pages = Math.max(1, Math.ceil(total / params.size));

  return (
    <div className="min-w-0 space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
          {capped ? `${total.toLocaleString("en")}+` : total.toLocaleString("en")} {total === 1 ? "request" : "requests"}
        </p>
        <details className="relative text-sm">
          <summary className="cursor-pointer rounded-md border border-zinc-300 px-3 py-1.5 dark:border-zinc-700">Columns</summary>
          <fieldset className="absolute right-0 z-10 mt-1 w-52 space-y-1 rounded-md border border-zinc-200 bg-white p-3 shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
            <legend className="sr-only">Visible columns</legend>
            {QUEUE_COLUMNS.map((id) => {
              const column = table.getColumn(id);
              if (!column) return null;
              // The last visible column stays: a table of bare checkboxes says nothing.
              const last = column.getIsVisible() && QUEUE_COLUMNS.filter((c) => table.getColumn(c)?.getIsVisible()).length === 1;
              return (
                <label key={id} className="flex items-center gap-2" title={last ? "At least one column stays visible." : undefined}>
                  <input
                    type="checkbox"
                    checked={column.getIsVisible()}
                    disabled={last}
                    onChange={(e) => column.toggleVisibility(e.target.checked)}
                  />
                  {columnLabels[id]}
                </label>
              );
            })}
            <p className="pt-1 text-xs text-zinc-500">At least one column stays visible.</p>
          </fieldset>
        </details>
      </div>

      {notice ? (
        <p role="status" data-testid="bulk-result" className="rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">
          {notice}
        </p>
      ) : null}
      {selectedIds.length > 0 ? (
        <div className="rounded-lg border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950" role="region" aria-label="Bulk decision">
          <p className="mb-2 text-sm font-medium">{selectedIds.length} selected</p>
          <DecisionForm
            requestIds={selectedIds}
            onDone={(message) => {
              setNotice(message);
              setRowSelection({});
            }}
          />
        </div>
      ) : null}

      {rows.length === 0 ? (
        <EmptyState title="No requests match this view">
          Change the filters, or{" "}
          <a href="/admin/requests?status=all" className="text-indigo-600 underline">
            show every request
          </a>
          .
        </EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <caption className="sr-only">Access requests, sortable by column</caption>
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const sorted = header.column.getIsSorted();
                    const canSort = header.column.getCanSort() && (SORTABLE as readonly string[]).includes(header.column.id);
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        className="px-3 py-3"
                        aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                      >
                        {header.isPlaceholder ? null : canSort ? (
                          <button
                            type="button"
                            className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-zinc-100"
                            onClick={header.column.getToggleSortingHandler()}
                          >
                            <table.FlexRender header={header} />
                            <span aria-hidden="true">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}</span>
                          </button>
                        ) : (
                          <table.FlexRender header={header} />
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {table.getRowModel().rows.map((row) => (
                <tr
                  key={row.id}
                  data-testid="queue-row"
                  className={row.getIsSelected() ? "bg-indigo-50/60 dark:bg-indigo-950/40" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 align-top">
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <span>
          Page {params.page} of {capped ? `${pages}+` : pages}
        </span>
        <div className="flex items-center gap-2">
          <label className="flex items-center gap-1">
            Rows
            <select
              value={params.size}
              onChange={(e) => router.push(queueHref(params, { size: Number(e.target.value), page: 1 }))}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            >
              {PAGE_SIZES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <PageButton label="Previous" href={params.page > 1 ? queueHref(params, { page: params.page - 1 }) : null} />
          <PageButton label="Next" href={params.page < pages || capped ? queueHref(params, { page: params.page + 1 }) : null} />
        </div>
      </nav>
    </div>
  );
}

/** A paging link; at either end (no href) a disabled button, not a link that still goes somewhere. */
function PageButton({ label, href }: { label: string; href: string | null }) {
  return href ? (
    <Button asChild variant="secondary" size="sm">
      <Link href={href}>{label}</Link>
    </Button>
  ) : (
    <Button variant="secondary" size="sm" disabled>
      {label}
    </Button>
  );
}
