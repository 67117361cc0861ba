import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { usageLimiter } from "./limiter";

const t = await isolatedDatabase();
const MINUTE = 60_000;
/** A fixed clock at `offsetMs` into a whole minute, movable by the test. */
function clock(offsetMs = 0) {
  let at = Math.floor(Date.now() / MINUTE) * MINUTE + offsetMs;
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}
const perMinute = (n: number) => ({ ratePerMinute: n, quotaPerMonth: null, enforce: true });
const subject = () => `req-${crypto.randomUUID()}`;

describe("usage limiter", () => {
  it("61 calls in a minute on a 60/min plan: 60 allowed, the 61st refused as rate limited with when to retry", () => {
    const c = clock(1000);
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const id = subject();
    const decisions = Array.from({ length: 61 }, () => limiter.check(id, perMinute(60)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    const last = decisions[60];
    expect(last).toMatchObject({ allowed: false, limit: "rate" });
    expect(last && !last.allowed && last.retryAfterSeconds).toBeGreaterThan(0);
    expect(decisions[59]?.minute).toMatchObject({ limit: 60, remaining: 0 });
  });

  it("the window slides: half a minute later, half of the previous minute's calls still count", () => {
    const c = clock(0);
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const id = subject();
    for (let i = 0; i < 60; i++) expect(limiter.check(id, perMinute(60)).allowed).toBe(true);
    c.advance(MINUTE + MINUTE / 2);
    const next = Array.from({ length: 31 }, () => limiter.check(id, perMinute(60)).allowed);
    expect(next.filter(Boolean)).toHaveLength(30);
  });

  it("the monthly quota is shared by instances through Postgres; a plan that does not enforce only counts", async () => {
    const c = clock(5000);
    const a = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const b = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const id = subject();
    const quota = { ratePerMinute: null, quotaPerMonth: 5, enforce: true };
    for (let i = 0; i < 5; i++) expect(a.check(id, quota).allowed).toBe(true);
    expect(a.check(id, quota)).toMatchObject({ allowed: false, limit: "quota" });
    await a.flush();
    // b has not seen this subject: the first call counts on what b knows, then the flush tells it
    b.check(id, { ...quota, enforce: false });
    await b.flush();
    expect(b.check(id, quota)).toMatchObject({ allowed: false, limit: "quota" });
    const [row] = await t.sql<{ count: string }[]>`select count from usage_counters where subject_id = ${id} and "window" = 'month'`;
    expect(Number(row?.count)).toBe(6);
  });

  it("two instances on one database: together they exceed a limit by at most what both admit in one flush interval, then hold it", async () => {
    const c = clock(2000);
    const a = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const b = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const id = subject();
    const admitted = (l: typeof a, n: number) => Array.from({ length: n }, () => l.check(id, perMinute(60)).allowed).filter(Boolean).length;
    // within one flush interval each knows only its own calls
    const first = admitted(a, 50) + admitted(b, 50);
    expect(first).toBe(100);
    expect(first).toBeLessThanOrEqual(2 * 60);
    await Promise.all([a.flush(), b.flush()]);
    await Promise.all([a.refresh(), b.refresh()]);
    expect(admitted(a, 10) + admitted(b, 10)).toBe(0);
  });

  it("outcomes are added per key per day at the flush, nothing before it", async () => {
    const c = clock(0);
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const key = `key-${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) limiter.record(key, "allowed");
    limiter.record(key, "rate_limited");
    const before = await t.sql`select * from key_usage_daily where key_id = ${key}`;
    expect(before).toHaveLength(0);
    await limiter.flush();
    const rows = await t.sql<{ outcome: string; count: string }[]>`select outcome, count from key_usage_daily where key_id = ${key} order by outcome`;
    expect(rows.map((r) => [r.outcome, Number(r.count)])).toEqual([
      ["allowed", 3],
      ["rate_limited", 1],
    ]);
  });
});
