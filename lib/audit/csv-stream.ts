import type { Sql } from "postgres";
import type { Queryable } from "@/db/connect";
import type { Actor } from "@/lib/auth/permissions";
import { toCsv } from "./csv";
import { type AuditFilters, auditExportQuery, who } from "./queries";

const HEADER = ["id", "when", "who", "action", "subject_type", "subject_id", "comment", "from", "data"];

/** A row as the export query returns it (database column names; timestamps as text). */
type Row = {
  id: string | number;
  created_at: string;
  actor_type: string;
  email: string | null;
  kind: string | null;
  name: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  comment: string | null;
  ip: string | null;
  data: unknown;
};

/**
 * The filtered audit log as a CSV stream: rows come from a server-side cursor 1,000 at a time, so a
 * million rows take constant memory. The permission is checked (auditExportQuery) before any row is read.
 */
export function auditCsvStream(db: Queryable, client: Sql, actor: Actor, filters: AuditFilters): ReadableStream<Uint8Array> {
  const query = auditExportQuery(db, actor, filters);
  const cursor = client.unsafe(query.sql, query.params as never[]).cursor(1000)[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(toCsv([HEADER])));
      }
      const next = await cursor.next();
      if (next.done) {
        controller.close();
        return;
      }
      const rows = (next.value as unknown as Row[]).map((r) => [
        r.id,
        new Date(r.created_at).toISOString(),
        who({ actorType: r.actor_type, actorEmail: r.email, actorKind: r.kind, actorName: r.name }),
        r.action,
        r.subject_type,
        r.subject_id,
        r.comment ?? "",
        r.ip ?? "",
        typeof r.data === "string" ? r.data : JSON.stringify(r.data ?? {}),
      ]);
      controller.enqueue(encoder.encode(toCsv(rows)));
    },
    async cancel() {
      await cursor.return?.();
    },
  });
}

export const auditCsvFilename = (now = new Date()) => `portico-audit-${now.toISOString().slice(0, 10)}.csv`;
