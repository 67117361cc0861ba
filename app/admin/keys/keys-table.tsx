"use client";

import { Link } from "@/components/ui/link";
import { ValidityCell } from "@/components/keys/validity-cell";
import type { ReactNode } from "react";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { RecentCalls } from "@/lib/usage/queries";
import { RevokeForm } from "./revoke-form";
import { EmailText } from "@/components/email-text";

/** One key as the page worked it out on the server (its state, words and what this viewer may do). */
export type KeyTableRow = {
  id: string;
  start: string;
  lastUsedAt: Date | null;
  callsToday: number;
  appName: string;
  requester: string;
  requestId: string;
  products: string[];
  planName: string;
  validity: { from: string; until: string };
  stateLabel: string;
  stateTone: BadgeTone;
  ended: string | null;
  /** Revoke is offered (the access works and this viewer may revoke it). */
  revoke: { recentCalls?: RecentCalls } | null;
  /** The access works, but this viewer may not revoke it: why. */
  whyNot: string | null;
};

/** /admin/keys on the shared DataTable. */
export function KeysTable({
  rows,
  viewerRole,
  previousHref,
  nextHref,
  empty,
}: {
  rows: KeyTableRow[];
  viewerRole: "owner" | "admin";
  previousHref: string | null;
  nextHref: string | null;
  empty: { title: string; body?: ReactNode };
}) {
  const columns: DataTableColumn<KeyTableRow>[] = [
    {
      id: "key",
      label: "Key",
      phone: "title",
      hideable: false,
      cell: (k) => (
        <>
          <span className="font-mono">{k.start}…</span>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{k.lastUsedAt ? `Last used ${formatDateTime(k.lastUsedAt)}` : "Never used"}</p>
          {k.callsToday > 0 ? (
            <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="key-calls-today">
              {new Intl.NumberFormat("en-GB").format(k.callsToday)} {k.callsToday === 1 ? "call" : "calls"} today
            </p>
          ) : null}
          <AuditTimelineLink subjectType="key" subjectId={k.id} viewerRole={viewerRole} className="text-xs text-indigo-600 underline dark:text-indigo-400" />
        </>
      ),
    },
    {
      id: "app",
      label: "App and requester",
      cell: (k) => (
        <>
          {k.appName}
          <EmailText text={k.requester} className="block text-xs text-zinc-500 dark:text-zinc-400" />
        </>
      ),
    },
    {
      id: "access",
      label: "Access",
      cell: (k) => (
        <>
          <Link href={`/admin/requests/${k.requestId}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
            {k.products.join(", ")}
          </Link>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{k.planName}</p>
        </>
      ),
    },
    { id: "valid", label: "Valid", phone: "hidden", cell: (k) => <ValidityCell ends={k.validity} /> },
    {
      id: "status",
      label: "Status",
      cell: (k) => (
        <>
          <Badge tone={k.stateTone}>{k.stateLabel}</Badge>
          {k.ended ? <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{k.ended}</p> : null}
        </>
      ),
    },
    {
      id: "actions",
      label: "Actions",
      hideable: false,
      cell: (k) =>
        k.revoke ? (
          <RevokeForm requestId={k.requestId} keyStart={k.start} recentCalls={k.revoke.recentCalls} />
        ) : k.whyNot ? (
          <p className="max-w-48 text-xs text-zinc-600 dark:text-zinc-400" data-testid="why-no-revoke">
            {k.whyNot}
          </p>
        ) : null,
    },
  ];
  return (
    <DataTable
      rows={rows}
      columns={columns}
      getRowId={(k) => k.id}
      caption="Keys, newest first"
      rowTestId="admin-key"
      empty={empty}
      paging={{ previousHref, nextHref }}
      minWidth="52rem"
    />
  );
}
