import { spawnSync } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { resetFirstTypeFetch } from "@/tests/type-fetch-proxy";
import { isLostTypeFetch } from "./dropped-type-fetch";

const t = await isolatedDatabase();

/** The fixture in a process of its own: its exit code and what it printed. */
function runFixture(...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "dropped-type-fetch.fixture.ts"), t.url, ...args], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("postgres.js's dropped read of the array types (porsager/postgres#1192)", () => {
  it("ends an unguarded process when a new connection is reset during that read", () => {
    // If this starts passing through (exit 0), postgres.js handles its own rejection now, and the
    // guard and vitest.config.ts's filter can go.
    const { code, out, err } = runFixture("unguarded");
    expect(out).toContain("query: failed (ECONNRESET)");
    expect(code).toBe(1);
    expect(err).toContain("ECONNRESET");
    expect(out).not.toContain("alive");
  });

  it("is logged by the guard, the process lives on, and the next statement is answered", () => {
    const { code, out, err } = runFixture("guarded");
    expect(out).toContain("query: failed (ECONNRESET)");
    expect(err).toContain("db: a connection was lost while postgres.js read the array types (ECONNRESET)");
    expect(out).toContain("next query: answered");
    expect(out).toContain("alive");
    expect(code).toBe(0);
  });

  it("still ends the process on any other unhandled rejection", () => {
    const { code, out, err } = runFixture("guarded", "other");
    expect(out).toContain("next query: answered");
    expect(err).toContain("some other unhandled rejection");
    expect(out).not.toContain("alive");
    expect(code).toBe(1);
  });

  it("still ends the process when the application's own query on that connection goes unhandled", () => {
    // That query is rejected with the very error the library's read is (its statement included).
    const { code, out, err } = runFixture("guarded", "unawaited");
    expect(err).toContain("ECONNRESET");
    expect(out).not.toContain("alive");
    expect(code).toBe(1);
  });

  it("recognises that statement on a lost connection alone", () => {
    const fetch = Object.assign(new Error("read ECONNRESET"), {
      code: "ECONNRESET",
      query: "\n      select b.oid, b.typarray\n      from pg_catalog.pg_type a\n      left join pg_catalog.pg_type b on b.oid = a.typelem\n      where a.typcategory = 'A'\n",
    });
    expect(isLostTypeFetch(fetch)).toBe(true);
    for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "57P01"]) expect(isLostTypeFetch({ ...fetch, query: fetch.query, code }), code).toBe(true);
    // Cancelled, the connection lives on without the array types: not survived (the process restarts clean).
    expect(isLostTypeFetch({ query: fetch.query, code: "57014" })).toBe(false);
    expect(isLostTypeFetch({ query: fetch.query })).toBe(false);
    expect(isLostTypeFetch(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", query: "select * from users" }))).toBe(false);
    // An application query that merely mentions pg_type is not the library's.
    expect(isLostTypeFetch({ code: "ECONNRESET", query: "select typname from pg_catalog.pg_type where oid = $1" })).toBe(false);
    expect(isLostTypeFetch(new Error("plain"))).toBe(false);
    expect(isLostTypeFetch(null)).toBe(false);
    expect(isLostTypeFetch("select b.oid, b.typarray")).toBe(false);
  });
});

describe("in this test run", () => {
  it("is filtered out (vitest.config.ts), where it failed the run as an unhandled error", async () => {
    const proxy = await resetFirstTypeFetch(t.url);
    const sql = postgres(proxy.url, { max: 1, onnotice: () => {} });
    try {
      await expect(sql`select 1`).rejects.toMatchObject({ code: "ECONNRESET" });
      expect(proxy.wasReset()).toBe(true);
      expect((await sql`select 2 as two`)[0]?.two).toBe(2);
      // Without the filter, Vitest reports the dropped rejection after this test and the run fails.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await sql.end({ timeout: 1 });
      await proxy.close();
    }
  });
});
