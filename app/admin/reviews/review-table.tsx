"use client";

import { createColumnHelper, rowSelectionFeature, type RowSelectionState, tableFeatures, useTable } from "@tanstack/react-table";
import Link from "next/link";
import { useActionState, useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { markReviewedAction } from "./actions";

export type ReviewRow = {
  id: string;
  kind: "approved" | "auto_approved" | "revoked";
  commentRequired: boolean;
  createdAt: string;
  reviewedAt: string | null;
  comment: string | null;
  reviewerEmail: string | null;
  requestId: string;
  planName: string;
  requesterEmail: string;
  appName: string;
  productNames: string[];
  decidedBy: string | null;
  /** Why the viewer may not mark this one reviewed (they decided it, requested it, …), or null. */
  whyNot: string | null;
  /** This page with the request's detail panel open. */
  openHref: string;
};

const features = tableFeatures({ rowSelectionFeature });
const helper = createColumnHelper<typeof features, ReviewRow>();
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const kindLabel = { approved: "Approved", auto_approved: "Auto-approved", revoked: "Revoked" } as const;

export function ReviewTable({ rows }: { rows: ReviewRow[] }) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const columns = useMemo(
    () =>
      helper.columns([
        helper.display({
          id: "select",
          header: ({ table }) => (
            <input
              type="checkbox"
              aria-label="Select all open reviews on this page"
              checked={table.getIsAllPageRowsSelected()}
              onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
            />
          ),
          cell: ({ row }) =>
            row.getCanSelect() ? (
              <input
                type="checkbox"
                aria-label={`Select the ${kindLabel[row.original.kind].toLowerCase()} decision for ${row.original.requesterEmail}`}
                checked={row.getIsSelected()}
                onChange={(e) => row.toggleSelected(e.target.checked)}
              />
            ) : !row.original.reviewedAt && row.original.whyNot ? (
              <span className="block max-w-48 text-xs text-zinc-600 dark:text-zinc-400" data-testid="why-no-review">
                {row.original.whyNot}
              </span>
            ) : null,
        }),
        helper.accessor("kind", {
          header: "Decision",
          cell: ({ row }) => (
            <div className="space-y-1">
              <Badge tone={row.original.kind === "revoked" ? "red" : "green"}>{kindLabel[row.original.kind]}</Badge>
              {row.original.commentRequired && !row.original.reviewedAt ? (
                <Badge tone="amber" data-testid="comment-required">
                  Comment required
                </Badge>
              ) : null}
            </div>
          ),
        }),
        helper.accessor("requesterEmail", {
          header: "Request",
          cell: ({ row }) => (
            <Link href={row.original.openHref} className="text-indigo-700 hover:underline dark:text-indigo-400">
              {row.original.productNames.join(", ")}
              <span className="block text-xs text-zinc-500">
                {row.original.planName} · {row.original.appName} · {row.original.requesterEmail}
              </span>
            </Link>
          ),
        }),
        helper.accessor("decidedBy", {
          header: "Decided",
          cell: ({ row }) => (
            <span>
              {row.original.decidedBy ?? "—"}
              <span className="block text-xs text-zinc-500">{dateTime.format(new Date(row.original.createdAt))}</span>
            </span>
          ),
        }),
        helper.accessor("reviewedAt", {
          header: "Review",
          cell: ({ row }) =>
            row.original.reviewedAt ? (
              <span>
                Reviewed by {row.original.reviewerEmail ?? "someone"}
                <span className="block text-xs text-zinc-500">{dateTime.format(new Date(row.original.reviewedAt))}</span>
                {row.original.comment ? <span className="block italic">“{row.original.comment}”</span> : null}
              </span>
            ) : (
              <span className="text-zinc-500">Waiting</span>
            ),
        }),
      ]),
    [],
  );
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (r) => r.id,
    enableRowSelection: (row) => row.original.reviewedAt === null && row.original.whyNot === null,
    state: { rowSelection },
    onRowSelectionChange: setRowSelection,
  });
  const selected = rows.filter((r) => rowSelection[r.id] && !r.reviewedAt);
  const needsComment = selected.some((r) => r.commentRequired);

  const [state, action, pending] = useActionState(async (prev: Awaited<ReturnType<typeof markReviewedAction>> | null, fd: FormData) => {
    const result = await markReviewedAction(prev, fd);
    if (result.ok) setRowSelection({});
    return result;
  }, null);

  return (
    <div className="min-w-0 space-y-4">
      {state?.message ? (
        <p
          role={state.ok ? "status" : "alert"}
          data-testid="review-result"
          className={state.ok ? "rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" : "text-sm text-red-600"}
        >
          {state.message}
        </p>
      ) : null}
      {selected.length > 0 ? (
        <form action={action} role="region" aria-label="Mark reviewed" className="space-y-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950">
          <p className="text-sm font-medium">{selected.length} selected</p>
          <input type="hidden" name="reviewIds" value={selected.map((r) => r.id).join(",")} />
          <label htmlFor="review-comment" className="block text-sm font-medium">
            Comment {needsComment ? "(required: a selected plan asks for one)" : "(optional)"}
          </label>
          <textarea
            id="review-comment"
            name="comment"
            rows={2}
            maxLength={2000}
            aria-invalid={state?.fieldErrors?.comment ? true : undefined}
            aria-describedby={state?.fieldErrors?.comment ? "review-comment-error" : undefined}
            className="w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
          {state?.fieldErrors?.comment ? (
            <p id="review-comment-error" className="text-sm text-red-600">
              {state.fieldErrors.comment}
            </p>
          ) : null}
          <Button type="submit" disabled={pending}>
            {pending ? "Marking…" : selected.length === 1 ? "Mark reviewed" : `Mark ${selected.length} reviewed`}
          </Button>
        </form>
      ) : null}
      {rows.length === 0 ? (
        <EmptyState title="Nothing to review">Decisions on plans that require review appear here once they are made.</EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <caption className="sr-only">Decisions to review</caption>
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th key={header.id} scope="col" className="px-3 py-3">
                      {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-testid="review-row" className={row.getIsSelected() ? "bg-indigo-50/60 dark:bg-indigo-950/40" : undefined}>
                  {row.getAllCells().map((cell) => (
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
    </div>
  );
}
