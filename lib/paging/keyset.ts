import { type AnyColumn, asc, desc, type SQL, sql } from "drizzle-orm";
import { isSingleLine } from "@/lib/validation";

/**
 * Keyset paging on (created_at, id) for the admin tables (people, keys, reviews): a page starts
 * after (or ends before) a row named by its cursor, never at an offset, so a row added or removed
 * meanwhile neither repeats nor skips one, and the 200th page costs what the first does. The cursor
 * carries created_at as Postgres prints it (microseconds: a JavaScript Date would round it off).
 */
export type KeysetCursor = { at: string; id: string };

/** Where a page starts: `after` (the previous page's nextCursor) or `before` (the next page's previousCursor). */
export type KeysetPosition = { after?: string; before?: string };

export const encodeKeyset = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString("base64url");

/** Text a cursor may carry into SQL as it is: one line, no NUL or control character (Postgres refuses a NUL). */
export const isCursorText = (x: unknown): x is string => typeof x === "string" && x.length <= 500 && isSingleLine(x);

// Postgres' text form of a timestamptz, as `created_at::text` gives it: "2026-12-01 20:21:49.123456+00".
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/;

/** …and one Postgres can read: a real day (no 30 February), not year 0, an offset within ±15 hours. */
export const isPgTimestamp = (x: unknown): x is string => {
  if (typeof x !== "string" || !TIMESTAMP.test(x)) return false;
  const [y, m, d] = x.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, m - 1, d));
  day.setUTCFullYear(y);
  const offsetHours = Number(x.match(/[+-](\d\d)(:\d\d)?$/)?.[1]);
  return y >= 1 && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && offsetHours <= 15;
};

/**
 * An unreadable cursor is the first page, never an error: a cursor is only base64url text, so one
 * made by hand could carry a time or an id Postgres refuses (30 February, a NUL), which would be a 500.
 */
export function decodeKeyset(cursor: string | undefined): KeysetCursor | null {
  if (!cursor) return null;
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!at || !id || rest.length > 0 || !isPgTimestamp(at) || !isCursorText(id)) return null;
  return { at, id };
}

/**
 * The condition, order and cursor column of one page in `direction` (the table's order). Going back
 * (`before`), the rows just before the cursor are read in the other order and turned round by
 * `keysetPage`.
 */
export function keysetQuery(createdAt: AnyColumn, id: AnyColumn, direction: "asc" | "desc", position: KeysetPosition) {
  const after = decodeKeyset(position.after);
  const before = decodeKeyset(position.before);
  const back = !position.after && Boolean(before);
  const cursor = after ?? before;
  // Read newest first when the table is, or when going back through an oldest-first table.
  const readDesc = (direction === "desc") !== back;
  const where: SQL | undefined = cursor
    ? readDesc
      ? sql`(${createdAt}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id})`
      : sql`(${createdAt}, ${id}) > (${cursor.at}::timestamptz, ${cursor.id})`
    : undefined;
  return {
    back,
    cursor,
    where,
    orderBy: readDesc ? [desc(createdAt), desc(id)] : [asc(createdAt), asc(id)],
    cursorAt: sql<string>`${createdAt}::text`,
  };
}

/**
 * Where a page's two links go, as positions for its URL (both keys set, so spreading one over the
 * current position replaces it): Previous to the page before, or to the first page from a page left
 * empty (startOver); Next to the page after; null where there is none.
 */
export function pageLinks(page: { previousCursor?: string; nextCursor?: string; startOver: boolean }) {
  return {
    previous: page.previousCursor ? { after: undefined, before: page.previousCursor } : page.startOver ? { after: undefined, before: undefined } : null,
    next: page.nextCursor ? { after: page.nextCursor, before: undefined } : null,
  };
}

/**
 * One page of `size` from rows read with a limit of size + 1 (keysetQuery's order): the rows in the
 * table's order, and the cursors of the pages on either side (none at an end), made from its first
 * and last rows.
 */
export function keysetPage<R extends { cursorAt: string; id: string }>(
  rows: R[],
  size: number,
  query: { back: boolean; cursor: KeysetCursor | null },
) {
  const more = rows.length > size;
  const kept = rows.slice(0, size);
  const ordered = query.back ? kept.reverse() : kept;
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  return {
    rows: ordered.map(({ cursorAt: _cursorAt, ...r }) => r),
    // A page left empty (its rows decided or deleted since the link was made): the way on is the
    // first page, not a dead end with both buttons off.
    startOver: ordered.length === 0 && Boolean(query.cursor),
    // Forward: more rows came back; backward: the page we came from follows.
    nextCursor: (query.back ? true : more) && last ? encodeKeyset(last.cursorAt, last.id) : undefined,
    // We paged forward to here, or more came back going backward.
    previousCursor: (query.back ? more : Boolean(query.cursor)) && first ? encodeKeyset(first.cursorAt, first.id) : undefined,
  };
}
