import { db, sql } from "@/db/client";
import { apiUser } from "@/lib/auth/guards";
import { toCsv } from "@/lib/audit/csv";
import { auditExportQuery, auditFiltersSchema, who } from "@/lib/audit/queries";

export const dynamic = "force-dynamic";

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
 * The filtered audit log as CSV, streamed: rows come from a server-side cursor 1,000 at a time,
 * so a million rows take constant memory. Admins only.
 */
export async function GET(request: Request) {
  const { user: actor, error } = await apiUser(["admin"]);
  if (error) return error;
  const filters = auditFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const query = auditExportQuery(db, actor, filters);
  const cursor = sql.unsafe(query.sql, query.params as never[]).cursor(1000)[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
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
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="portico-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
