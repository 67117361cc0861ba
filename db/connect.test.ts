import { inspect } from "node:util";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { createDb, PARAMS_WITHHELD, statementLimit } from "./connect";
import { products, users } from "./schema";
import { databaseUnavailableIn } from "./unavailable";

const t = await isolatedDatabase();

/**
 * Drizzle's queries are prepared on the server's pools: a statement seen before on the connection is
 * one round trip (bind, execute) instead of two (parse and describe, then bind and execute).
 */
describe("createDb", () => {
  const opened: ReturnType<typeof createDb>["sql"][] = [];
  afterEach(async () => {
    delete process.env.DATABASE_POOLER;
    await Promise.all(opened.splice(0).map((s) => s.end({ timeout: 1 })));
  });
  const open = (url: string, timeoutMs = 60_000) => {
    const conn = createDb(url, { max: 1, timeoutMs });
    opened.push(conn.sql);
    return conn;
  };
  // One connection (max 1): the statements asked about are the ones this pool ran on it.
  const preparedOn = async (db: ReturnType<typeof createDb>["db"]) =>
    (await db.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`)).map((r) => r.statement);
  // The pool asks once whether its connections plan per run, and prepares nothing before the answer.
  const settled = async (db: ReturnType<typeof createDb>["db"]) => {
    for (let i = 0; i < 3; i++) await db.execute(sql`select 1`);
  };

  it("prepares Drizzle's statements, in transactions too, and plans each run for its own parameters", async () => {
    const { db } = open(t.url);
    await settled(db);
    await db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
    await db.transaction((tx) => tx.select({ name: products.name }).from(products).where(eq(products.slug, "payments")));
    const statements = await preparedOn(db);
    expect(statements.some((s) => s.includes('select "id" from "products" where "products"."slug" = $1'))).toBe(true);
    expect(statements.some((s) => s.includes('select "name" from "products" where "products"."slug" = $1'))).toBe(true);
    const [mode] = await db.execute<{ mode: string }>(sql`select current_setting('plan_cache_mode') as mode`);
    expect(mode?.mode).toBe("force_custom_plan");
  });

  it("leaves a statement with a long parameter list unprepared (its text varies with the list's length)", async () => {
    const { db } = open(t.url);
    await settled(db);
    const slugs = Array.from({ length: 100 }, (_, i) => `slug-${i}`);
    await db.select({ id: products.id }).from(products).where(inArray(products.slug, slugs));
    await db.select({ id: products.id }).from(products).where(inArray(products.slug, slugs.slice(0, 3)));
    const statements = (await preparedOn(db)).filter((s) => s.includes('"products"."slug" in'));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain("in ($1, $2, $3)");
  });

  it("takes postgres.js's unsafe(query, options) form through the pool's client, options kept", async () => {
    const { db } = open(t.url);
    await settled(db);
    const rows = await db.$client.unsafe<{ n: number }[]>("select 7 as n", { simple: true } as never);
    expect(rows[0]?.n).toBe(7);
    // Not simple, as asked: two statements in one extended-protocol query are refused.
    await expect(db.$client.unsafe("select 1; select 2", { simple: false } as never)).rejects.toThrow();
  });

  it("prepares nothing on connections that do not plan per run (a pooler dropping the startup parameter)", async () => {
    const conn = createDb(t.url, { max: 1, timeoutMs: 60_000, settings: { plan_cache_mode: "auto" } });
    opened.push(conn.sql);
    await settled(conn.db);
    await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
    await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
    expect((await preparedOn(conn.db)).filter((s) => s.includes("products"))).toEqual([]);
  });

  it("never queues a statement behind another on a busy connection: one withdrawn at its deadline was never sent", async () => {
    const { db } = open(t.url, 400);
    await db.execute(sql`create table if not exists pipeline_probe (id int primary key)`);
    await settled(db);
    // Both prepared on the pool's one connection, so neither needs a describe first.
    await db.execute(sql`insert into pipeline_probe (id) values (${0})`);
    await db.execute(sql`select pg_sleep(${0})`);
    const slow = db.execute(sql`select pg_sleep(${0.8})`).catch((e: unknown) => e);
    const write = await db.execute(sql`insert into pipeline_probe (id) values (${1})`).catch((e: unknown) => e);
    const down = databaseUnavailableIn(write);
    expect(down, String(write)).toBeTruthy();
    expect(down?.outcomeUnknown).toBe(false);
    await slow;
    // Let the connection come back, then look: the withdrawn insert never ran.
    for (let i = 0; i < 20; i++) {
      const ok = await db.execute(sql`select 1`).then(() => true, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await t.db.execute<{ id: number }>(sql`select id from pipeline_probe order by id`);
    expect(rows.map((r) => r.id)).toEqual([0]);
  });

  it("with statementLimit, has PostgreSQL end a statement its caller gave up on at twice the deadline, not leave it running", async () => {
    const conn = createDb(t.url, { max: 1, timeoutMs: 300, settings: statementLimit(300) });
    opened.push(conn.sql);
    const { db } = conn;
    await settled(db);
    const marker = `deadline_probe_${Date.now()}`;
    const started = performance.now();
    const gaveUp = await db.execute(sql`select pg_sleep(${5}) ${sql.raw(`/* ${marker} */`)}`).catch((e: unknown) => e);
    expect(databaseUnavailableIn(gaveUp), String(gaveUp)).toBeTruthy();
    const running = async () =>
      (
        await t.db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where state = 'active' and query like ${`%${marker}%`} and pid <> pg_backend_pid()`,
        )
      )[0]?.n;
    // Answered at 300 ms, while the server still runs it; ended by the server at 600 ms.
    expect(await running()).toBe(1);
    while ((await running()) !== 0 && performance.now() - started < 4000) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("prepares nothing behind a pooler (DATABASE_POOLER=session or transaction), and sends no startup setting", async () => {
    for (const pooler of ["session", "transaction"]) {
      process.env.DATABASE_POOLER = pooler;
      const { db } = open(t.url);
      await settled(db);
      await db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
      // (postgres.js prepares its own type lookup at connect when it may: not Drizzle's.)
      expect((await preparedOn(db)).filter((s) => s.includes("products")), pooler).toEqual([]);
      const [mode] = await db.execute<{ mode: string }>(sql`select current_setting('plan_cache_mode') as mode`);
      expect(mode?.mode, pooler).toBe("auto");
      const [limit] = await db.execute<{ limit: string }>(sql`select current_setting('statement_timeout') as limit`);
      expect(limit?.limit, pooler).toBe("0");
    }
  });
});

/**
 * A failed statement's error, printed whole (as Next prints an error while a page renders), names the
 * query but none of its parameters; the parameters stay on the error for code that asks for them.
 */
describe("a failed query's error", () => {
  it("withholds the parameters from its message, its stack and its printed form", async () => {
    const secret = `session-token-${Date.now()}`;
    const error = await t.db
      .select()
      .from(products)
      // Division by zero: PostgreSQL's own message does not echo the value.
      .where(and(eq(products.id, secret), sql`1 / 0 = 1`))
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const failed = error as Error & { params?: unknown[] };
    expect(failed.message).toContain('from "products"');
    expect(failed.message).toContain(PARAMS_WITHHELD);
    const printed = [failed.message, failed.stack, inspect(failed, { depth: 5 }), String(failed)];
    for (const text of printed) expect(text).not.toContain(secret);
    expect(failed.params).toEqual([secret]);
  });

  it("withholds every parameter even when one of them reads like drizzle's own params line", () => {
    const error = new DrizzleQueryError("select 1 where a = $1 and b = $2", ["SESSION-TOKEN-abc", "x\nparams: y"], new Error("boom"));
    for (const text of [error.message, error.stack, inspect(error)]) expect(text).not.toContain("SESSION-TOKEN-abc");
    expect(error.message).toBe(`Failed query: select 1 where a = $1 and b = $2\n${PARAMS_WITHHELD}`);
  });

  it("prints its cause by code and constraint, not PostgreSQL's detail or a message that repeats a value", async () => {
    const email = `taken-${Date.now()}@example.com`;
    await t.db.insert(users).values({ email });
    const duplicate = await t.db.insert(users).values({ email }).then(() => null, (e: unknown) => e);
    const printed = inspect(duplicate, { depth: 5 });
    // PostgreSQL's detail says "Key (email)=(…) already exists"; printed, only the code and constraint.
    expect(printed).toMatch(/\[cause\]: PostgreSQL error 23505 \(constraint \w+\)/);
    expect(printed).not.toContain(email);
    const secret = `not-a-uuid-${Date.now()}`;
    const badInput = await t.db.execute(sql`select ${secret}::uuid`).then(() => null, (e: unknown) => e);
    const printedBad = inspect(badInput, { depth: 5 });
    expect(printedBad).toContain("PostgreSQL error 22P02");
    expect(printedBad).not.toContain(secret);
    // Other errors keep PostgreSQL's words, which name no value and say what went wrong.
    const missing = await t.db.execute(sql`select no_such_column from users where email = ${secret}`).then(() => null, (e: unknown) => e);
    expect(inspect(missing)).toContain('PostgreSQL error 42703: column "no_such_column" does not exist');
  });
});
