import { z } from "zod";
import { DomainError } from "@/lib/errors";

/**
 * Keyset cursors: the sort value and id of the last row of a page, base64url JSON. Opaque to
 * clients; a cursor this API did not give answers 422.
 */
// strings as Postgres takes them: no NUL byte (it would be a 500, not a 422)
const value = z.union([z.string().max(500).refine((s) => !s.includes("\u0000")), z.number()]);
const shape = z.object({ v: value, id: value });
export type Cursor = z.infer<typeof shape>;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // falls through
  }
  throw new DomainError("invalid", "The cursor is not one this API gave. Start again without `cursor`.", { cursor: "Not a cursor from this API." });
}

export const MAX_PAGE = 200;
export const pageQuery = {
  cursor: z.string().max(500).optional().meta({ description: "The `next` cursor of the previous page." }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50).meta({ description: `Items per page, at most ${MAX_PAGE}.` }),
};

/** `{ items, next }` from `limit + 1` rows; the caller passes how to make a cursor of a row. */
export function page<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next: more ? encodeCursor(cursorOf(items[items.length - 1] as T)) : null };
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable().meta({ description: "Cursor of the next page; null on the last page." }),
  });
