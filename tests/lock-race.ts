import { expect } from "vitest";
import type { Sql } from "postgres";
import { postgresErrorIn } from "@/lib/describe-error";
import { DomainError } from "@/lib/errors";

/**
 * Races forced rather than hoped for: a third transaction holds a row (`holding`), one side starts
 * and is seen waiting (`lockWaiters`), then the other, then the row is let go. Two writers that take
 * the same rows in opposite orders then deadlock every time (PostgreSQL ends one with 40P01 after its
 * deadlock timeout), and never when they take them in one order.
 */

/** Until `n` sessions of this database wait for a lock (or 10 s). */
export async function lockWaiters(sql: Sql, n: number) {
  const until = Date.now() + 10_000;
  for (;;) {
    const [row] = await sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    const waiting = row?.waiting ?? 0;
    if (waiting >= n) return;
    if (Date.now() > until) throw new Error(`${waiting} sessions wait for a lock, not ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** "ok", a domain refusal's code and words, or PostgreSQL's error code with its DETAIL (40P01's names the cycle). */
export const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (error: unknown) => {
      if (error instanceof DomainError) return `refused ${error.code}: ${error.message}`;
      const pg = postgresErrorIn(error) as (ReturnType<typeof postgresErrorIn> & { detail?: string; where?: string }) | null;
      return pg ? `${pg.code} ${pg.detail ?? ""} ${pg.where ?? ""}`.trim() : String(error);
    },
  );

/** Holds the rows `lock` locks (a FOR UPDATE select) in a transaction of its own until `release()`. */
export async function holding(sql: Sql, lock: (s: Sql) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held!: () => void;
  const isHeld = new Promise<void>((r) => (held = r));
  const done = sql.begin(async (s) => {
    await lock(s as unknown as Sql);
    held();
    await released;
  });
  await isHeld;
  return {
    release,
    async end() {
      release();
      await done;
    },
  };
}

/** No side died of a deadlock. */
export const noDeadlock = (results: Record<string, string>) => expect(Object.entries(results).filter(([, r]) => r.startsWith("40P01"))).toEqual([]);

/**
 * The race itself: holds rows with `hold`, starts each side in turn, each seen waiting for a lock
 * before the next starts, then lets the rows go; each side's outcome by name.
 */
export async function race(sql: Sql, hold: (s: Sql) => Promise<unknown>, sides: Record<string, () => Promise<unknown>>) {
  const held = await holding(sql, hold);
  try {
    const started: [string, Promise<string>][] = [];
    for (const [name, start] of Object.entries(sides)) {
      started.push([name, outcome(start())]);
      await lockWaiters(sql, started.length);
    }
    held.release();
    const results: Record<string, string> = {};
    for (const [name, result] of started) results[name] = await result;
    return results;
  } finally {
    await held.end();
  }
}
