import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";
import { isolatedDatabase } from "@/tests/database";
import { readiness, readinessResponse } from "./readiness";

const t = await isolatedDatabase();
const sql = postgres(t.url, { max: 1, onnotice: () => {} });
afterAll(() => sql.end({ timeout: 5 }));

describe("/api/ready's checks", () => {
  it("a migrated database: 200, every check ok, not cached", async () => {
    const result = await readiness(sql);
    expect(result).toMatchObject({
      status: "ok",
      checks: {
        database: { status: "ok" },
        migrations: { status: "ok", expected: journal.entries.length, applied: journal.entries.length },
        jobQueue: { status: "ok" },
      },
    });
    const response = readinessResponse(result);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("a migration of this build not applied: 503 naming it", async () => {
    const last = journal.entries.at(-1);
    if (!last) throw new Error("empty journal");
    await sql.begin(async (tx) => {
      await tx`delete from drizzle.__drizzle_migrations where created_at = ${last.when}`;
      const result = await readiness(tx);
      expect(result.status).toBe("unavailable");
      expect(result.checks.migrations).toMatchObject({ status: "failing", missing: [last.tag], applied: journal.entries.length - 1 });
      expect(result.checks.migrations.message).toMatch(/npm run db:migrate/);
      expect(readinessResponse(result).status).toBe(503);
      throw new Rollback();
    }).catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
    expect((await readiness(sql)).status).toBe("ok");
  });

  it("graphile-worker's schema missing: 503 says so", async () => {
    await sql.begin(async (tx) => {
      await tx`alter schema graphile_worker rename to graphile_worker_away`;
      const result = await readiness(tx);
      expect(result.status).toBe("unavailable");
      expect(result.checks.jobQueue).toMatchObject({ status: "failing" });
      expect(result.checks.jobQueue.message).toMatch(/graphile_worker.*missing/);
      throw new Rollback();
    }).catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  });

  it("a database that does not answer (its migration table locked): 503 within the deadline", async () => {
    const holder = postgres(t.url, { max: 1, onnotice: () => {} });
    const probe = postgres(t.url, { max: 1, onnotice: () => {} });
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const locking = holder.begin(async (tx) => {
        await tx`lock table drizzle.__drizzle_migrations in access exclusive mode`;
        await held;
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const result = await readiness(probe, { deadlineMs: 500 });
      const took = Date.now() - started;
      release();
      await locking;
      expect(took).toBeLessThan(1000);
      expect(result.status).toBe("unavailable");
      expect(result.checks.database).toMatchObject({ status: "failing", message: "PostgreSQL did not answer within 500 ms." });
      expect(result.checks.migrations.status).toBe("unknown");
    } finally {
      await probe.end({ timeout: 0 });
      await holder.end({ timeout: 5 });
    }
  });

  it("a database that refuses connections: 503 with the error's code, never the address", async () => {
    const away = postgres("postgres://portico:secret-password@127.0.0.1:1/nowhere", { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      const result = await readiness(away);
      expect(result.status).toBe("unavailable");
      expect(result.checks.database.status).toBe("failing");
      const body = JSON.stringify(result);
      expect(body).toMatch(/ECONNREFUSED/);
      expect(body).not.toMatch(/127\.0\.0\.1|secret-password|portico:/);
    } finally {
      await away.end({ timeout: 0 });
    }
  });
});

class Rollback extends Error {}
