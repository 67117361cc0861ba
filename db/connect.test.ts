import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { createDb } from "./connect";
import { products } from "./schema";

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
  const open = (url: string) => {
    const conn = createDb(url, { max: 1, timeoutMs: 60_000 });
    opened.push(conn.sql);
    return conn;
  };
  // One connection (max 1): the statements asked about are the ones this pool ran on it.
  const preparedOn = async (db: ReturnType<typeof createDb>["db"]) =>
    (await db.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`)).map((r) => r.statement);

  it("prepares Drizzle's statements, in transactions too, and plans each run for its own parameters", async () => {
    const { db } = open(t.url);
    await db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
    await db.transaction((tx) => tx.select({ name: products.name }).from(products).where(eq(products.slug, "payments")));
    const statements = await preparedOn(db);
    expect(statements.some((s) => s.includes('select "id" from "products" where "products"."slug" = $1'))).toBe(true);
    expect(statements.some((s) => s.includes('select "name" from "products" where "products"."slug" = $1'))).toBe(true);
    const [mode] = await db.execute<{ mode: string }>(sql`select current_setting('plan_cache_mode') as mode`);
    expect(mode?.mode).toBe("force_custom_plan");
  });

  it("prepares nothing behind a pooler (DATABASE_POOLER=session or transaction), and sends no startup setting", async () => {
    for (const pooler of ["session", "transaction"]) {
      process.env.DATABASE_POOLER = pooler;
      const { db } = open(t.url);
      await db.select({ id: products.id }).from(products).where(eq(products.slug, "weather"));
      // (postgres.js prepares its own type lookup at connect when it may: not Drizzle's.)
      expect((await preparedOn(db)).filter((s) => s.includes("products")), pooler).toEqual([]);
      const [mode] = await db.execute<{ mode: string }>(sql`select current_setting('plan_cache_mode') as mode`);
      expect(mode?.mode, pooler).toBe("auto");
    }
  });
});
