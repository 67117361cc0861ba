import { type AnyColumn, asc, desc, type SQL, sql } from "drizzle-orm";

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

/** timestamptz as Postgres prints it (DateStyle ISO): "2026-01-01 10:00:00.123456+00". */
const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

/** An unreadable cursor is the first page, never an error. */
export function decodeKeyset(cursor: string | undefined): KeysetCursor | null {
  if (!cursor) return null;
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!at || !id || rest.length > 0 || !PG_TIMESTAMPTZ.test(at)) return null;
  return { at, id };
}

/**
 * The condition, order and cursor column of one page in `direction` (the table's order). Going back
 * (`before`), the rows just before the cursor are read in the other order and turned round by
 * `keysetPage`.
 */
export function keysetQuery(createdAt: AnyColumn, id: AnyColumn, direction: "asc" | "desc", position: KeysetPosition) {
  const back = !position.after && Boolean(decodeKeyset(position.before));
  const cursor = decodeKeyset(position.after) ?? decodeKeyset(position.before);
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
 * One page of `size` from rows read with a limit of size + 1 (keysetQuery's order): the rows in the
 * table's order, each with its cursor, and the cursors of the pages on either side (none at an end).
 */
export function keysetPage<R extends { cursorAt: string; id: string }>(
  rows: R[],
  size: number,
  query: { back: boolean; cursor: KeysetCursor | null },
) {
  const more = rows.length > size;
  const kept = rows.slice(0, size);
  const page = (query.back ? kept.reverse() : kept).map(({ cursorAt, ...r }) => ({ ...r, cursor: encodeKeyset(cursorAt, r.id) }));
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rows: page,
    // Forward: more rows came back; backward: the page we came from follows.
    nextCursor: (query.back ? true : more) && last ? last.cursor : undefined,
    // We paged forward to here, or more came back going backward.
    previousCursor: (query.back ? more : Boolean(query.cursor)) && first ? first.cursor : undefined,
  };
}
