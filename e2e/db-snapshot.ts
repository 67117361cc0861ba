import type { e2eDb } from "./db";

type Conn = ReturnType<typeof e2eDb>;

/**
 * Columns left out of "nothing was written", with the reason. `api_keys.last_used_at` is stamped
 * up to 5 s after a verify call, in a batch (lib/keys/last-used.ts), so an earlier allowed step can
 * land it inside a refused call's window. Sessions' `expires` only rolls after a day (Auth.js
 * updateAge), and the job queue lives in its own schema (graphile_worker).
 */
export const UNSNAPSHOTTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_keys: ["last_used_at"],
  // an API access key's "last used" is stamped (at most once a minute) by any call it makes, refused ones included
  api_access_keys: ["last_used_at"],
  // delivery moves a message queued earlier along on its own (sending, retrying, sent, expired), with
  // retries minutes apart and a dead worker's lease lapsing after 30 s: a refused call is judged by
  // the messages it adds, never by how far earlier ones have got
  email_messages: ["status", "attempts", "transport", "provider_id", "last_error", "html", "text", "props", "next_attempt_at", "lease_until", "sent_at"],
};

/**
 * Tables left out: verify's limit counts and usage, added in batches up to a second after any verify
 * call (lib/usage/limiter.ts), from this spec or one running beside it; the job queue's pool
 * heartbeats, written every 5 s by every running worker (lib/jobs/worker-liveness.ts).
 */
export const UNSNAPSHOTTED_TABLES: ReadonlySet<string> = new Set(["usage_counters", "key_usage_daily", "job_workers"]);

/** Every row of every public table, as the md5 of its text, per table. */
export type Snapshot = Map<string, string[]>;

async function publicTables(conn: Conn) {
  const rows = await conn.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  return rows.map((r) => r.name).filter((name) => !UNSNAPSHOTTED_TABLES.has(name));
}

/** A row as text, without the columns that legitimately move on their own. */
function rowText(table: string) {
  const skip = UNSNAPSHOTTED_COLUMNS[table];
  return skip ? `(to_jsonb(x) - array[${skip.map((c) => `'${c}'`).join(", ")}])::text` : "x::text";
}

export async function snapshotAll(conn: Conn): Promise<Snapshot> {
  const tables = await publicTables(conn);
  const query = tables.map((t) => `select '${t}' as tbl, md5(${rowText(t)}) as h from public."${t}" x`).join(" union all ");
  const rows = await conn.sql.unsafe<{ tbl: string; h: string }[]>(query);
  const out: Snapshot = new Map(tables.map((t) => [t, []]));
  for (const r of rows) out.get(r.tbl)?.push(r.h);
  for (const hashes of out.values()) hashes.sort();
  return out;
}

/** Rows added (their text, shortened) and how many went, per table that changed. */
export async function changedRows(conn: Conn, before: Snapshot, after: Snapshot) {
  const diff: Record<string, { added: string[]; removed: number }> = {};
  for (const [table, now] of after) {
    const then = before.get(table) ?? [];
    const left = new Map<string, number>();
    for (const h of then) left.set(h, (left.get(h) ?? 0) + 1);
    const added: string[] = [];
    for (const h of now) {
      const n = left.get(h) ?? 0;
      if (n > 0) left.set(h, n - 1);
      else added.push(h);
    }
    const removed = [...left.values()].reduce((a, b) => a + b, 0);
    if (added.length === 0 && removed === 0) continue;
    const text = added.length
      ? await conn.sql.unsafe<{ row: string }[]>(`select left(${rowText(table)}, 240) as row from public."${table}" x where md5(${rowText(table)}) = any($1)`, [added])
      : [];
    diff[table] = { added: text.map((r) => r.row), removed };
  }
  for (const table of before.keys()) if (!after.has(table)) diff[table] = { added: [], removed: before.get(table)?.length ?? 0 };
  return diff;
}
