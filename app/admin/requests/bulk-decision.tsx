"use client";

import { useEffect, useRef } from "react";
import { toast } from "@/components/toast";
import { DecisionForm } from "./decision-form";
import { TypedList } from "@/components/label-parts";

export type BulkOutcome = { ok: boolean; message: string };

/** The selected requests, named, and the form that approves or denies them all. */
export function BulkDecision({
  requests,
  onDone,
}: {
  requests: { id: string; appName: string; productNames: string[] }[];
  onDone: (outcome: BulkOutcome) => void;
}) {
  const n = requests.length;
  return (
    <div
      className="space-y-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950"
      role="region"
      aria-label="Bulk decision"
    >
      <p className="text-sm font-medium">{n} selected</p>
      <ul className="max-h-24 list-disc overflow-y-auto pl-5 text-sm text-zinc-700 [overflow-wrap:anywhere] dark:text-zinc-300">
        {requests.map((r) => (
          <li key={r.id}>
            <TypedList names={r.productNames} /> for <bdi>{r.appName}</bdi>
          </li>
        ))}
      </ul>
      <DecisionForm requestIds={requests.map((r) => r.id)} onDone={onDone} confirmDeny />
    </div>
  );
}

/**
 * What the last bulk decision did, one line per kind of result and per request left unchanged.
 * It takes focus when it appears (the form it answers has gone with the selection) and is also
 * said in a toast.
 */
export function BulkResult({ outcome }: { outcome: BulkOutcome | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!outcome) return;
    ref.current?.focus();
    const [first, ...rest] = outcome.message.split("\n");
    const summary =
      rest.length > 0 ? `${first} ${rest.length} not changed: see the list.` : (first ?? "");
    if (outcome.ok) toast.success(summary);
    else toast.error(summary);
  }, [outcome]);
  if (!outcome) return null;
  const lines = outcome.message.split("\n").filter(Boolean);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="status"
      data-testid="bulk-result"
      className={
        outcome.ok
          ? "rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 focus:outline-2 focus:outline-emerald-600 dark:bg-emerald-950 dark:text-emerald-300"
          : "rounded-md bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-2 focus:outline-red-600 dark:bg-red-950 dark:text-red-300"
      }
    >
      <ul className="space-y-1 [overflow-wrap:anywhere]">
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
