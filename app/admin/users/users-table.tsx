"use client";

import { Link } from "@/components/ui/link";
import type { ReactNode } from "react";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { EmailText } from "@/components/email-text";
import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/lib/format";
import { UserRowMenu } from "./user-row-menu";

export type UserTableRow = {
  id: string;
  email: string;
  name: string | null;
  role: "consumer" | "owner" | "admin";
  disabledAt: Date | null;
  createdAt: Date;
  workingKeys: number;
  hasAuthenticator: boolean;
};

const ROLE_WORDS = { consumer: "Consumer", owner: "Owner", admin: "Admin" } as const;
const link = "text-indigo-600 underline dark:text-indigo-400";

/** /admin/users on the shared DataTable: one row menu per person, keyset pages. */
export function UsersTable({
  rows,
  meId,
  previousHref,
  nextHref,
  empty,
}: {
  rows: UserTableRow[];
  meId: string;
  previousHref: string | null;
  nextHref: string | null;
  empty: { title: string; body?: ReactNode };
}) {
  const columns: DataTableColumn<UserTableRow>[] = [
    {
      id: "user",
      label: "User",
      phone: "title",
      hideable: false,
      cell: (u) => (
        <>
          {/* On a phone the name line is as tall as the row menu's button in the card's corner (44 px),
              so the two share a top and a middle. */}
          <div className="max-sm:flex max-sm:min-h-11 max-sm:items-center">
            {/* min-w-0: as a flex item the name could not shrink below its longest word, and a long
                name or address made the whole page scroll sideways on a phone. */}
            <span className="min-w-0 wrap-anywhere">
              {u.name ? <bdi>{u.name}</bdi> : <EmailText text={u.email} />}
              {u.id === meId ? <span className="ml-1 text-xs text-zinc-500 dark:text-zinc-400">(you)</span> : null}
            </span>
          </div>
          <EmailText text={u.email} className="block text-xs text-zinc-500 dark:text-zinc-400" />
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            Joined {formatDate(u.createdAt)} · <AuditTimelineLink subjectType="user" subjectId={u.id} viewerRole="admin" className={link} />
          </p>
        </>
      ),
    },
    { id: "role", label: "Role", cell: (u) => <span data-testid="user-role">{ROLE_WORDS[u.role]}</span> },
    {
      id: "status",
      label: "Status",
      cell: (u) => (u.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>),
    },
    {
      id: "authenticator",
      label: "Authenticator",
      cell: (u) => (
        <div data-testid="user-authenticator">
          {u.hasAuthenticator ? <Badge tone="green">Set up</Badge> : <Badge>None</Badge>}
          {u.hasAuthenticator && u.id === meId ? (
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              Yours: change or remove it from{" "}
              <Link href="/account/security" className={link}>
                Account security
              </Link>
              .
            </p>
          ) : null}
        </div>
      ),
    },
    {
      id: "actions",
      label: "Actions",
      hideable: false,
      phone: "menu",
      align: "end",
      cell: (u) => (
        <UserRowMenu
          user={{
            id: u.id,
            email: u.email,
            role: u.role,
            disabled: u.disabledAt !== null,
            workingKeys: u.workingKeys,
            hasAuthenticator: u.hasAuthenticator,
            isMe: u.id === meId,
          }}
        />
      ),
    },
  ];
  return (
    <DataTable
      rows={rows}
      columns={columns}
      getRowId={(u) => u.id}
      caption="Users, newest first"
      rowTestId="user-row"
      empty={empty}
      paging={{ previousHref, nextHref }}
      minWidth="44rem"
    />
  );
}
