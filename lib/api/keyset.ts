import { z } from "zod";
import { isSingleLine } from "@/lib/validation";
import { DomainError } from "@/lib/errors";
import { type Cursor, decodeCursor } from "./cursor";

/**
 * A cursor whose values can go into SQL as they are: a cursor is only base64url JSON, so one made by
 * hand could carry a value Postgres refuses (a NUL, "yesterday" as a timestamp, an id that is not a
 * number). Such a cursor is a 422 like any cursor this API did not give, never a 500.
 */
export function decodeKeyset<V extends "text" | "time", I extends "text" | "number">(raw: string | undefined, v: V, id: I) {
  const c = decodeCursor(raw);
  if (!c) return null;
  if (!(v === "time" ? isTimestamp(c.v) : isText(c.v)) || !(id === "number" ? Number.isSafeInteger(c.id) : isText(c.id))) {
    throw new DomainError("invalid", "The cursor is not one this API gave. Start again without `cursor`.", { cursor: "Not a cursor from this API." });
  }
  return c as Cursor & { v: string; id: I extends "number" ? number : string };
}

const isText = (x: unknown): x is string => typeof x === "string" && x.length <= 500 && isSingleLine(x);
// Postgres' text form of a timestamptz, as `created_at::text` gives it: "2026-12-01 20:21:49.123456+00".
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/;
// …and one Postgres can read: a real day (no 30 February), not year 0, an offset within ±15 hours
const isTimestamp = (x: unknown): x is string => {
  if (typeof x !== "string" || !TIMESTAMP.test(x)) return false;
  const [y, m, d] = x.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, m - 1, d));
  day.setUTCFullYear(y);
  const offsetHours = Number(x.match(/[+-](\d\d)(:\d\d)?$/)?.[1]);
  return y >= 1 && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && offsetHours <= 15;
};

/** Free text from a query string or body that goes into SQL: one line, no NUL or control characters. */
export const searchText = (max: number) => z.string().max(max).refine(isSingleLine, "Use one line without control characters.");
