"use client";

import { Link } from "@/components/ui/link";
import { Fragment, type ReactNode } from "react";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { EmailText } from "@/components/email-text";
import { LabelParts } from "@/components/label-parts";
import type { SubjectName } from "@/lib/audit/subject-names";
import { formatDateTime } from "@/lib/format";

/** One audit event as people read it (worked out on the server: words, names, links). */
export type AuditTableRow = {
  id: number;
  createdAt: Date;
  who: string;
  /** An API access key acted: its name links to its page when it still exists. */
  apiKey: { name: string; href: string | null } | null;
  action: string;
  actionWords: string;
  subjectWords: string;
  subjectId: string;
  subject: SubjectName | null;
  timelineHref: string;
  ip: string | null;
  comment: string | null;
};

const link = "text-indigo-600 hover:underline dark:text-indigo-400";

/**
 * An id that may wrap after each hyphen (a UUID's groups), and inside a group only when one is wider
 * than the column (break-words). Broken anywhere, a UUID filled its line and left its last character
 * on a line of its own at 1280 px ("…854d8" / "8"); a hyphen alone is no place to break before a
 * digit (Unicode's line-breaking rules read "-5" as a negative number). <wbr> copies as nothing.
 */
function IdText({ id }: { id: string }) {
  return id.split("-").map((group, i) => (
    <Fragment key={i}>
      {i > 0 ? (
        <>
          -<wbr />
        </>
      ) : null}
      {group}
    </Fragment>
  ));
}

/** /admin/audit on the shared DataTable; the page keeps its own keyset links (Newest / Older). */
export function AuditTable({ rows, empty }: { rows: AuditTableRow[]; empty: { title: string; body?: ReactNode } }) {
  const columns: DataTableColumn<AuditTableRow>[] = [
    { id: "when", label: "When", phone: "title", cell: (e) => <span className="whitespace-nowrap" data-testid="audit-when">{formatDateTime(e.createdAt)}</span> },
    {
      id: "who",
      label: "Who",
      // Where the change came from goes under who made it: as a column of its own it pushed Comment
      // out of sight at 1280 px (the table scrolled sideways inside its card). A person is named by
      // their email, which breaks only before its "@" (EmailText); so does a person's subject below.
      cell: (e) => (
        <>
          {e.apiKey ? (
            <>
              {e.apiKey.href ? (
                <Link href={e.apiKey.href} className={`break-words ${link}`}>
                  {e.apiKey.name}
                </Link>
              ) : (
                <span className="break-words">{e.apiKey.name}</span>
              )}
              <span className="block text-xs text-zinc-500 dark:text-zinc-400" data-testid="actor-kind">
                API key
              </span>
            </>
          ) : (
            <EmailText text={e.who} />
          )}
          {e.ip ? (
            <span className="block text-xs break-all text-zinc-500 dark:text-zinc-400" data-testid="audit-ip">
              from {e.ip}
            </span>
          ) : null}
        </>
      ),
    },
    {
      id: "what",
      label: "What",
      cell: (e) => (
        <>
          {e.actionWords}
          <span className="block font-mono text-xs text-zinc-500 dark:text-zinc-400" data-testid="audit-action">
            {e.action}
          </span>
        </>
      ),
    },
    {
      id: "subject",
      label: "Subject",
      cell: (e) => (
        <>
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">{e.subjectWords}</span>
          {e.subject?.href ? (
            <Link href={e.subject.href} className={`break-words ${link}`} data-testid="audit-subject">
              <LabelParts parts={e.subject.parts} />
            </Link>
          ) : e.subject ? (
            <span className="break-words" data-testid="audit-subject">
              <LabelParts parts={e.subject.parts} />
            </span>
          ) : null}
          {/* The id stays: a subject since deleted has no name, and the id is what the API and export speak. */}
          <span className="block font-mono text-xs break-words text-zinc-500 dark:text-zinc-400" data-testid="audit-subject-id">
            <IdText id={e.subjectId} />
          </span>
          <Link href={e.timelineHref} className={`block text-xs ${link}`} aria-label={`Timeline of ${e.subject?.label ?? e.subjectId}`}>
            Timeline
          </Link>
        </>
      ),
    },
    { id: "comment", label: "Comment", className: "max-w-xs", cell: (e) => (e.comment ? <span className="whitespace-pre-wrap break-words">{e.comment}</span> : null) },
  ];
  return <DataTable rows={rows} columns={columns} getRowId={(e) => String(e.id)} caption="Audit events, newest first" rowTestId="audit-row" empty={empty} minWidth="48rem" />;
}
