import { z } from "zod";
import { isSingleLine } from "@/lib/validation";
import { DomainError } from "@/lib/errors";
import { isCursorText, isPgTimestamp } from "@/lib/paging/keyset";
import { type Cursor, decodeCursor } from "./cursor";

/**
 * A cursor whose values can go into SQL as they are: a cursor is only base64url JSON, so one made by
 * hand could carry a value Postgres refuses (a NUL, "yesterday" as a timestamp, an id that is not a
 * number). Such a cursor is a 422 like any cursor this API did not give, never a 500.
 */
export function decodeKeyset<V extends "text" | "time", I extends "text" | "number">(raw: string | undefined, v: V, id: I) {
  const c = decodeCursor(raw);
  if (!c) return null;
  if (!(v === "time" ? isPgTimestamp(c.v) : isCursorText(c.v)) || !(id === "number" ? Number.isSafeInteger(c.id) : isCursorText(c.id))) {
    throw new DomainError("invalid", "The cursor is not one this API gave. Start again without `cursor`.", { cursor: "Not a cursor from this API." });
  }
  return c as Cursor & { v: string; id: I extends "number" ? number : string };
}

/** Free text from a query string or body that goes into SQL: one line, no NUL or control characters. */
export const searchText = (max: number) => z.string().max(max).refine(isSingleLine, "Use one line without control characters.");
