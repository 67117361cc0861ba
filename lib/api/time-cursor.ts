import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import type { Cursor } from "./cursor";

/**
 * Keyset cursors on a timestamptz column: its value with full microsecond precision (a JS Date
 * keeps only milliseconds, so rows created in the same millisecond would be skipped or repeated),
 * as fixed-format UTC text the database wrote and a decoded cursor is checked against before it
 * reaches SQL (a forged value answers 422, never a cast error).
 */
export const cursorTime = (column: SQLWrapper) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const FORMAT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** `(column, id) < (cursor)` for a newest-first page after this cursor; null without one. */
export function beforeCursor(after: Cursor | null, column: SQLWrapper, id: SQLWrapper): SQL | undefined {
  if (!after) return undefined;
  const v = after.v;
  // The date must be a real one (no 30 February): it round-trips through Date unchanged.
  if (typeof v !== "string" || !FORMAT.test(v) || Number.isNaN(Date.parse(v)) || new Date(v).toISOString().slice(0, 23) !== v.slice(0, 23)) {
    throw new DomainError("invalid", "The cursor is not one this API gave. Start again without `cursor`.", { cursor: "Not a cursor from this API." });
  }
  return sql`(${column}, ${id}) < (${v}::timestamptz, ${String(after.id)})`;
}
