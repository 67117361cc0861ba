import { db, sql } from "@/db/client";
import { apiUser } from "@/lib/auth/guards";
import { auditCsvFilename, auditCsvStream } from "@/lib/audit/csv-stream";
import { auditFiltersSchema } from "@/lib/audit/queries";

export const dynamic = "force-dynamic";

/** The filtered audit log as CSV, streamed (lib/audit/csv-stream.ts). Admins only. */
export async function GET(request: Request) {
  const { user: actor, error } = await apiUser(["admin"]);
  if (error) return error;
  const filters = auditFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return new Response(auditCsvStream(db, sql, actor, filters), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${auditCsvFilename()}"`,
      "Cache-Control": "no-store",
    },
  });
}
