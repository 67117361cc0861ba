"use client";

import { Link } from "@/components/ui/link";
import { EmailText } from "@/components/email-text";
import { useActionState, useEffect, useRef, useState } from "react";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { useActionToast } from "@/components/toast";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { formatDateTime } from "@/lib/format";
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

const kindLabel = {
  approved: "Approved",
  auto_approved: "Auto-approved",
  revoked: "Revoked",
} as const;

const columns: DataTableColumn<ReviewRow>[] = [
  {
    id: "request",
    label: "Request",
    phone: "title",
    hideable: false,
    className: "[overflow-wrap:anywhere]",
    cell: (r) => (
      <Link
        href={r.openHref}
        scroll={false}
        className="text-indigo-700 hover:underline dark:text-indigo-400"
      >
        {r.productNames.join(", ")}
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">
          {r.planName} · <bdi>{r.appName}</bdi> · <EmailText text={r.requesterEmail} />
        </span>
      </Link>
    ),
  },
  {
    id: "kind",
    label: "Decision",
    cell: (r) => (
      <div className="flex flex-wrap gap-1">
        <Badge tone={r.kind === "revoked" ? "red" : "green"}>{kindLabel[r.kind]}</Badge>
        {r.commentRequired && !r.reviewedAt ? (
          <Badge tone="amber" data-testid="comment-required">
            Comment required
          </Badge>
        ) : null}
      </div>
    ),
  },
  {
    id: "decided",
    label: "Decided",
    cell: (r) => (
      <span>
        {r.decidedBy ?? "—"}
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">
          {formatDateTime(new Date(r.createdAt))}
        </span>
      </span>
    ),
  },
  {
    id: "review",
    label: "Review",
    cell: (r) =>
      r.reviewedAt ? (
        <span>
          Reviewed by {r.reviewerEmail ? <EmailText text={r.reviewerEmail} /> : "someone"}
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
            {formatDateTime(new Date(r.reviewedAt))}
          </span>
          {r.comment ? <span className="block italic">“{r.comment}”</span> : null}
        </span>
      ) : (
        <span className="text-zinc-500 dark:text-zinc-400">Waiting</span>
      ),
  },
];

export function ReviewTable({
  rows,
  paging,
  activeRowId,
}: {
  rows: ReviewRow[];
  paging: { previousHref: string | null; nextHref: string | null };
  activeRowId?: string;
}) {
  const [rowSelection, setRowSelection] = useState<Record<string, boolean>>({});
  const selected = rows.filter((r) => rowSelection[r.id] && !r.reviewedAt);
  const needsComment = selected.some((r) => r.commentRequired);

  const [state, action, pending] = useActionState(
    async (prev: Awaited<ReturnType<typeof markReviewedAction>> | null, fd: FormData) => {
      const result = await markReviewedAction(prev, fd);
      if (result.ok) setRowSelection({});
      return result;
    },
    null,
  );
  useActionToast(state, { errors: true });
  // The result takes focus: the form it answers is gone with the selection.
  const resultRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (state?.ok) resultRef.current?.focus();
  }, [state]);

  return (
    <div className="min-w-0 space-y-4">
      {state?.message ? (
        <p
          ref={resultRef}
          tabIndex={-1}
          role={state.ok ? "status" : "alert"}
          data-testid="review-result"
          className={
            state.ok
              ? "rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
              : "text-sm text-red-600 dark:text-red-400"
          }
        >
          {state.message}
        </p>
      ) : null}
      {selected.length > 0 ? (
        <form
          action={action}
          role="region"
          aria-label="Mark reviewed"
          className="space-y-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950"
        >
          <p className="text-sm font-medium">{selected.length} selected</p>
          <input type="hidden" name="reviewIds" value={selected.map((r) => r.id).join(",")} />
          <label htmlFor="review-comment" className="block text-sm font-medium">
            Comment {needsComment ? "(required: a selected plan asks for one)" : "(optional)"}
          </label>
          <Textarea
            id="review-comment"
            name="comment"
            rows={2}
            maxLength={2000}
            aria-invalid={state?.fieldErrors?.comment ? true : undefined}
            aria-describedby={state?.fieldErrors?.comment ? "review-comment-error" : undefined}
            className="inline-block"
          />
          {state?.fieldErrors?.comment ? (
            <p id="review-comment-error" className="text-sm text-red-600 dark:text-red-400">
              {state.fieldErrors.comment}
            </p>
          ) : null}
          <Button type="submit" disabled={pending}>
            {pending
              ? "Marking…"
              : selected.length === 1
                ? "Mark reviewed"
                : `Mark ${selected.length} reviewed`}
          </Button>
        </form>
      ) : null}
      <DataTable
        rows={rows}
        columns={columns}
        getRowId={(r) => r.id}
        caption="Decisions to review"
        rowTestId="review-row"
        activeRowId={activeRowId}
        minWidth={activeRowId ? "0" : "44rem"}
        dense={Boolean(activeRowId)}
        selection={{
          selected: rowSelection,
          onChange: setRowSelection,
          canSelect: (r) => r.reviewedAt === null && r.whyNot === null,
          rowLabel: (r) =>
            `Select the ${kindLabel[r.kind].toLowerCase()} decision for ${r.requesterEmail}`,
          allLabel: "Select all open reviews on this page",
          whyNot: (r) => (r.reviewedAt ? null : r.whyNot),
          unselectable: "hide",
          whyNotTestId: "why-no-review",
        }}
        paging={paging}
        empty={{
          title: "Nothing to review",
          body: "Decisions on plans that require review appear here once they are made.",
        }}
      />
    </div>
  );
}
