import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownPostgres } from "@/tests/own-postgres";
import { createDb } from "./connect";
import { trackWrites, withDeadlines } from "./deadline";
import { DatabaseUnavailableError, databaseUnavailableIn } from "./unavailable";

const TIMEOUT = 600;
let pg: Awaited<ReturnType<typeof ownPostgres>>;
let conn: ReturnType<typeof createDb>;

beforeAll(async () => {
  pg = await ownPostgres("deadline");
  conn = createDb(pg.url, { max: 3, timeoutMs: TIMEOUT });
  await conn.sql`create table fault_probe (id int primary key)`;
}, 120_000);

afterAll(async () => {
  pg?.thaw();
  await conn?.sql.end({ timeout: 1 }).catch(() => {});
  await pg?.destroy();
});

async function timed<T>(run: () => Promise<T>) {
  const start = performance.now();
  const outcome = await run().then(
    (value) => ({ value, error: null as unknown }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, ms: performance.now() - start };
}

/** Retries `probe` until it succeeds; ms from now to the first success. */
async function recoveredAfter(probe: () => Promise<unknown>, limitMs = 5000) {
  const start = performance.now();
  for (;;) {
    try {
      await probe();
      return performance.now() - start;
    } catch (error) {
      if (performance.now() - start > limitMs) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * A client of a single connection (so statements queue on it, pipelined) through the wrapper, with
 * its own health record (`name`), ended after `run`.
 */
async function onOneConnection(
  deadlines: { name: string; timeoutMs: number; failingMs?: number },
  run: (sql: postgres.Sql) => Promise<void>,
  options: postgres.Options<Record<string, never>> = {},
) {
  const raw = postgres(pg.url, { max: 1, onnotice: () => {}, ...options });
  try {
    await run(withDeadlines(raw, { timeoutMs: deadlines.timeoutMs, failingMs: deadlines.failingMs, key: `${pg.url}#${deadlines.name}` }));
  } finally {
    await raw.end({ timeout: 1 });
  }
}

describe("statement deadlines (db/deadline.ts) against a frozen or stopped PostgreSQL", () => {
  it("with the database well, the wrapper changes nothing: arrays of queries in a transaction, savepoints, SQL errors as they were", async () => {
    await conn.sql`delete from fault_probe`;
    await conn.sql.begin((tx) => [tx`insert into fault_probe values (11)`, tx`insert into fault_probe values (12)`]);
    await conn.db.transaction(async (tx) => {
      await tx.execute("insert into fault_probe values (13)");
      await tx.transaction(async (inner) => inner.execute("insert into fault_probe values (14)")).catch(() => {});
      await tx
        .transaction(async (inner) => {
          await inner.execute("insert into fault_probe values (15)");
          throw new Error("roll this savepoint back");
        })
        .catch(() => {});
    });
    const duplicate = await timed(() => conn.sql`insert into fault_probe values (11)`);
    expect((duplicate.error as { code?: string }).code).toBe("23505");
    expect(databaseUnavailableIn(duplicate.error)).toBeNull();
    const rows = await conn.sql<{ id: number }[]>`select id from fault_probe order by id`;
    expect(rows.map((r) => r.id)).toEqual([11, 12, 13, 14]);
  });

  it("a frozen database: every statement, drizzle's and raw, fails with DatabaseUnavailableError within the deadline; recovery within 1 s of SIGCONT", async () => {
    await conn.sql`select 1`;
    expect(pg.freeze()).toBeGreaterThan(1);
    try {
      const results = await Promise.all([
        timed(() => conn.sql`select 1`),
        timed(() => conn.sql.unsafe("select 2")),
        timed(() => conn.db.execute("select 3")),
        // more than the pool holds: some wait for a connection
        ...Array.from({ length: 5 }, () => timed(() => conn.sql`select pg_sleep(0)`)),
      ]);
      for (const r of results) {
        expect(databaseUnavailableIn(r.error)).toBeInstanceOf(DatabaseUnavailableError);
        expect(r.ms).toBeLessThan(TIMEOUT + 300);
      }
      // failing: the next statement gives up sooner
      const next = await timed(() => conn.sql`select 4`);
      expect(databaseUnavailableIn(next.error)).not.toBeNull();
      expect(next.ms).toBeLessThan(TIMEOUT);
    } finally {
      pg.thaw();
    }
    expect(await recoveredAfter(() => conn.sql`select 1`)).toBeLessThan(1000);
  });

  it("a transaction frozen midway fails at once and commits nothing; a write outside one says its outcome is unknown", async () => {
    await conn.sql`delete from fault_probe`;
    const tracking = { wrote: false };
    const tx = timed(() =>
      trackWrites(tracking, () =>
        conn.db.transaction(async (t) => {
          await t.execute("insert into fault_probe values (1)");
          pg.freeze();
          await t.execute("insert into fault_probe values (2)");
        }),
      ),
    );
    const result = await tx;
    const down = databaseUnavailableIn(result.error);
    expect(down?.outcomeUnknown).toBe(false);
    expect(tracking.wrote).toBe(false);
    expect(result.ms).toBeLessThan(TIMEOUT + 300);

    const write = await timed(() => conn.sql`insert into fault_probe values (3)`);
    expect(databaseUnavailableIn(write.error)?.outcomeUnknown).toBe(true);
    pg.thaw();
    await recoveredAfter(() => conn.sql`select 1`);
    // the transaction rolled back; the lone insert did run once the server woke (hence "unknown")
    await new Promise((r) => setTimeout(r, 200));
    const rows = await conn.sql<{ id: number }[]>`select id from fault_probe order by id`;
    expect(rows.map((r) => r.id)).toEqual([3]);
  });

  it("a transaction still waiting for a connection when its deadline passes never runs its callback", async () => {
    await conn.sql`delete from fault_probe`;
    pg.freeze();
    let ran = false;
    const result = await timed(() =>
      conn.db.transaction(async (t) => {
        ran = true;
        await t.execute("insert into fault_probe values (9)");
      }),
    );
    expect(databaseUnavailableIn(result.error)?.outcomeUnknown).toBe(false);
    pg.thaw();
    await recoveredAfter(() => conn.sql`select 1`);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toBe(false);
    expect(await conn.sql`select id from fault_probe`).toHaveLength(0);
  });

  it("a statement that gave up while its new connection was still starting leaves that connection usable, and never runs", async () => {
    await conn.sql`delete from fault_probe`;
    // a connect timeout longer than the deadline: the connection completes after the statement gave up
    await onOneConnection(
      { name: "lone", timeoutMs: 300 },
      async (sql) => {
        try {
          pg.freeze();
          const first = await timed(() => sql`insert into fault_probe values (21)`);
          expect(databaseUnavailableIn(first.error)?.outcomeUnknown).toBe(false);
          pg.thaw();
          expect(await recoveredAfter(() => sql`select 1`, 3000)).toBeLessThan(1000);
          await new Promise((r) => setTimeout(r, 100));
          expect(await conn.sql`select id from fault_probe`).toHaveLength(0);
        } finally {
          pg.thaw();
        }
      },
      { connect_timeout: 10 },
    );
  });

  it("a statement that gave up while queued behind a slow one on its connection never hands its answer to the next statement", async () => {
    // postgres.js pipelines statements on a busy connection. Cancelling one that was sent but is not
    // running yet makes postgres.js skip it while the server still answers it: every later answer on
    // that connection goes to the statement after (a key lookup would get another statement's rows).
    // a failing deadline as long as the first: the statement sent behind is still waiting when the slow one ends
    await onOneConnection({ name: "pipeline", timeoutMs: 1000, failingMs: 1000 }, async (sql) => {
      await sql`select 1`;
      const slow = timed(() => sql`select pg_sleep(1.5), 'slow' as v`);
      const queued = timed(() => sql<{ v: string }[]>`select 'queued' as v`);
      // both give up at 1 s: the slow one while running, the queued one while sent behind it
      expect(databaseUnavailableIn((await queued).error)).not.toBeNull();
      expect(databaseUnavailableIn((await slow).error)).not.toBeNull();
      // sent behind them at 1 s; the slow one ends at 1.5 s, and this one's deadline is 2 s
      const next = await timed(() => sql<{ v: string }[]>`select 'next' as v`);
      expect(next.error).toBeNull();
      expect(next.value?.[0]?.v).toBe("next");
      for (let i = 0; i < 5; i++) expect((await sql<{ v: string }[]>`select ${`answer ${i}`}::text as v`)[0]?.v).toBe(`answer ${i}`);
    });
  });

  it("a savepoint whose SAVEPOINT got no answer in time never runs its callback, not even after the server wakes", async () => {
    await conn.sql`delete from fault_probe`;
    let ran = false;
    const result = await timed(() =>
      conn.db.transaction(async (t) => {
        await t.execute("insert into fault_probe values (41)");
        pg.freeze();
        await t.transaction(async (inner) => {
          ran = true;
          await inner.execute("insert into fault_probe values (42)");
        });
      }),
    );
    expect(databaseUnavailableIn(result.error)?.outcomeUnknown).toBe(false);
    pg.thaw();
    await recoveredAfter(() => conn.sql`select 1`);
    await new Promise((r) => setTimeout(r, 300));
    // without the check, the callback ran once SAVEPOINT was answered: after the ROLLBACK, so its insert committed alone
    expect(ran).toBe(false);
    expect(await conn.sql`select id from fault_probe`).toHaveLength(0);
  });

  it("a statement pipelined behind one that failed after some rows gets its own rows, without holes (postgres.js#1181)", async () => {
    await onOneConnection({ name: "holes", timeoutMs: 5000 }, async (sql) => {
      await sql`select 1`;
      for (let i = 0; i < 3; i++) {
        // rows 1–3 stream, then row 4 divides by zero; the next statement is sent behind it
        const failing = sql`select g, 1 / (4 - g) as boom from generate_series(1, 10) g`.then(
          () => null,
          (e: unknown) => e,
        );
        const next = sql<{ x: number }[]>`select x from generate_series(1, 5) x`;
        expect(String(await failing)).toMatch(/division by zero/);
        const rows = await next;
        expect(rows.length).toBe(5);
        expect([...rows].map((r) => r?.x)).toEqual([1, 2, 3, 4, 5]);
      }
    });
  });

  it("a stopped database (connections refused): DatabaseUnavailableError within the deadline; back within 1 s of its restart", async () => {
    await pg.stop();
    try {
      for (let i = 0; i < 3; i++) {
        const r = await timed(() => conn.db.execute("select 1"));
        expect(databaseUnavailableIn(r.error)).not.toBeNull();
        expect(r.ms).toBeLessThan(TIMEOUT + 300);
      }
    } finally {
      await pg.start();
    }
    expect(await recoveredAfter(() => conn.sql`select 1`)).toBeLessThan(1000);
  });
});
