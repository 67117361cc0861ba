import type { Sql } from "postgres";
import { expect } from "vitest";

/**
 * Every row of every public table as text, sorted per table: compare two snapshots to prove a
 * refused call wrote nothing anywhere (not only in the table the test thought of).
 */
export async function snapshotTables(sql: Sql) {
  const tables = await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`;
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await sql<{ row: string }[]>`select t::text as row from ${sql(name)} t`;
    out[name] = rows.map((r) => r.row).sort();
  }
  return out;
}

/**
 * Runs a call that must be refused and asserts that no table changed. Answers what the call
 * returned or threw ("forbidden: …" for a DomainError), for the caller to assert.
 */
export async function withoutWrites(sql: Sql, call: () => Promise<unknown>) {
  const before = await snapshotTables(sql);
  const outcome = await call().then(
    (value) => value,
    (error: unknown) => (error instanceof Error && "code" in error ? `${String(error.code)}: ${error.message}` : String(error)),
  );
  expect(await snapshotTables(sql)).toEqual(before);
  return outcome;
}
