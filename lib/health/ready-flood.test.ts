import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";

// The route reads DATABASE_URL once (lib/env.ts): this file's own database, set before the import.
const t = await isolatedDatabase();
process.env.DATABASE_URL = t.url;
const { GET } = await import("@/app/api/ready/route");
const { discardReadyPool } = await import("@/lib/health/ready-pool");

/** Transactions PostgreSQL has counted in this file's database (every query of the probe is one). */
async function transactions() {
  const [row] = await t.db.execute<{ n: string }>(sql`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`);
  return Number(row?.n ?? 0);
}

describe("GET /api/ready hammered by an unauthenticated caller", () => {
  it("500 probes at once: every one answered 200, and PostgreSQL sees a handful of queries, not one probe per request", async () => {
    await GET(); // the probe's connection is open
    discardReadyPool();
    // past the reuse of that answer: the flood below needs a probe of its own
    await new Promise((r) => setTimeout(r, 1100));
    const before = await transactions();
    const responses = await Promise.all(Array.from({ length: 500 }, () => GET()));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(responses.every((r) => r.headers.get("cache-control") === "no-store")).toBe(true);
    // the probe's backend reports its counts when its connection closes
    discardReadyPool();
    await new Promise((r) => setTimeout(r, 500));
    const queries = (await transactions()) - before;
    // one probe is 3 queries (plus this file's own statistics reads): 500 probes were 1,500
    expect(queries).toBeLessThan(30);
  });
});
