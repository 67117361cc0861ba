/**
 * A keyset cursor: the sort key and id of the row a page starts after (or ends before), as text
 * Postgres wrote it — a JavaScript Date would drop the microseconds and the next page would repeat
 * or skip rows. Opaque in the URL (base64url of JSON); a damaged cursor reads as none.
 */
export type QueueCursor = { key: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: QueueCursor) {
  return Buffer.from(JSON.stringify([c.key, c.id])).toString("base64url");
}

export function decodeCursor(raw: string | undefined): QueueCursor | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [key, id] = value;
    // (A NUL is no text PostgreSQL takes: the statement would fail.)
    if (typeof key !== "string" || key.length > 400 || key.includes("\u0000") || typeof id !== "string" || !UUID.test(id))
      return null;
    return { key, id };
  } catch {
    return null;
  }
}
