import type { Sql, TransactionSql } from "postgres";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { MAX_PENDING_OUTCOMES, usageLimiter } from "./limiter";

/**
 * The limiter attacked: idle subjects, a database that is down or slow, a read-back that fails.
 * Real Postgres throughout; `faulty` only makes the limiter's own statements fail on demand, as a
 * database that is down would.
 */
const t = await isolatedDatabase();
const MINUTE = 60_000;
function clock(offsetMs = 0) {
  let at = Math.floor(Date.now() / MINUTE) * MINUTE + offsetMs;
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}
const subject = () => `req-${crypto.randomUUID()}`;
const monthCount = async (id: string) => {
  const rows = await t.sql<{ count: string }[]>`select count from usage_counters where subject_id = ${id} and "window" = 'month'`;
  return rows.reduce((n, r) => n + Number(r.count), 0);
};
const outcomeCount = async (key: string) => {
  const rows = await t.sql<{ count: string }[]>`select count from key_usage_daily where key_id = ${key}`;
  return rows.reduce((n, r) => n + Number(r.count), 0);
};

/** The real client, whose statements fail while `down` (or the n-th one, counted from 1, when `failNth` is set). */
function faulty(sql: Sql) {
  const state = { down: false, failNth: 0, calls: 0 };
  const fail = () => Promise.reject(new Error("connection refused (test: database down)"));
  const shouldFail = () => {
    state.calls += 1;
    return state.down || state.calls === state.failNth;
  };
  const proxy = new Proxy(sql, {
    apply(target, self, args: unknown[]) {
      const first = args[0];
      if (Array.isArray(first) && "raw" in first && shouldFail()) return fail();
      return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
    },
    get(target, prop, receiver) {
      if (prop === "begin") {
        return (fn: (tx: TransactionSql) => Promise<unknown>) => (shouldFail() ? fail() : target.begin(fn));
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { sql: proxy, state };
}

describe("limiter under attack", () => {
  it("a quota stays used up after the subject has been idle (forgotten) for a while: no fresh burst every two minutes", async () => {
    const c = clock(1000);
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 3_600_000 });
    const id = subject();
    const quota = { ratePerMinute: null, quotaPerMonth: 5, enforce: true };
    for (let i = 0; i < 5; i++) expect(limiter.check(id, quota).allowed).toBe(true);
    await limiter.flush();
    expect(limiter.check(id, quota).allowed).toBe(false);
    // idle past the limiter's memory: the subject is forgotten at the next flush
    c.advance(3 * MINUTE);
    await limiter.flush();
    // a burst before the next read-back must still find the quota used up
    const burst = Array.from({ length: 20 }, () => limiter.check(id, quota).allowed).filter(Boolean).length;
    expect(burst).toBe(0);
    await limiter.flush();
    expect(await monthCount(id)).toBe(5);
  });

  it("calls bunched at the end of a minute: one instance admits at most the limit within any 60 s, and Retry-After says when", () => {
    const c = clock(MINUTE - 100); // 0.1 s before a minute ends
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 3_600_000 });
    const id = subject();
    const limits = { ratePerMinute: 60, quotaPerMonth: null, enforce: true };
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (limiter.check(id, limits).allowed) admitted += 1;
    expect(admitted).toBe(60);
    // then one attempt every 100 ms for the rest of the 60 s after the burst
    let lastRefusal: ReturnType<typeof limiter.check> | undefined;
    for (let elapsed = 100; elapsed < MINUTE - 1000; elapsed += 100) {
      c.advance(100);
      const d = limiter.check(id, limits);
      if (d.allowed) admitted += 1;
      else lastRefusal = d;
    }
    expect(admitted).toBe(60);
    // the burst ages out of the window: Retry-After of the last refusal is when calls are admitted again
    const wait = lastRefusal && !lastRefusal.allowed ? lastRefusal.retryAfterSeconds : 0;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(3);
    c.advance(wait * 1000);
    expect(limiter.check(id, limits).allowed).toBe(true);
  });

  it("a flush slower than the interval does not stop the flushing for good", async () => {
    const limiter = usageLimiter(t.sql, { flushMs: 50 });
    const id = subject();
    const key = `key-${crypto.randomUUID()}`;
    const unlimited = { ratePerMinute: null, quotaPerMonth: null, enforce: true };
    // hold the table so the first flush waits ~400 ms (8 intervals)
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = t.sql.begin(async (tx) => {
      await tx`lock table usage_counters in exclusive mode`;
      locked();
      await released;
    });
    await isLocked;
    limiter.check(id, unlimited);
    limiter.record(key, "allowed");
    // while that flush is stuck, more calls come in, and the timer fires
    await new Promise((r) => setTimeout(r, 150));
    limiter.check(id, unlimited);
    limiter.record(key, "allowed");
    await new Promise((r) => setTimeout(r, 250));
    release();
    await holder;
    // later calls, then no one calls flush(): the limiter's own timer must write them
    await new Promise((r) => setTimeout(r, 100));
    limiter.check(id, unlimited);
    limiter.record(key, "allowed");
    const started = Date.now();
    while ((await monthCount(id)) < 3 && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 25));
    expect(await monthCount(id)).toBe(3);
    expect(await outcomeCount(key)).toBe(3);
  });

  it("a read-back that fails after the counts were added does not add them twice", async () => {
    const c = clock(1000);
    const f = faulty(t.sql);
    const limiter = usageLimiter(f.sql, { now: c.now, flushMs: 3_600_000 });
    const id = subject();
    const key = `key-${crypto.randomUUID()}`;
    const unlimited = { ratePerMinute: null, quotaPerMonth: null, enforce: true };
    for (let i = 0; i < 3; i++) {
      limiter.check(id, unlimited);
      limiter.record(key, "allowed");
    }
    // the last statement of the flush (the read-back of everyone's totals) fails
    f.state.calls = 0;
    f.state.failNth = 3;
    await limiter.flush();
    f.state.failNth = 0;
    await limiter.flush();
    expect(await monthCount(id)).toBe(3);
    expect(await outcomeCount(key)).toBe(3);
  });

  it("while the database is down it keeps enforcing; counts of subjects gone idle meanwhile are written once it is back", async () => {
    const c = clock(1000);
    const f = faulty(t.sql);
    const limiter = usageLimiter(f.sql, { now: c.now, flushMs: 3_600_000 });
    const id = subject();
    const limits = { ratePerMinute: 3, quotaPerMonth: 100, enforce: true };
    f.state.down = true;
    const admitted = Array.from({ length: 5 }, () => limiter.check(id, limits).allowed).filter(Boolean).length;
    expect(admitted).toBe(3);
    await limiter.flush();
    // down for 3 minutes, the subject idle all along
    for (let i = 0; i < 3; i++) {
      c.advance(MINUTE);
      await limiter.flush();
    }
    f.state.down = false;
    await limiter.flush();
    expect(await monthCount(id)).toBe(3);
  });

  it("memory: outcomes for many distinct products do not grow without bound between flushes", () => {
    const limiter = usageLimiter(t.sql, { flushMs: 3_600_000 });
    const key = `key-${crypto.randomUUID()}`;
    for (let i = 0; i < 60_000; i++) limiter.record(key, "unknown_product", `junk-${i}`);
    // past the cap, new products are counted under '' (one more entry for this key and outcome)
    expect(limiter.pendingOutcomes()).toBe(MAX_PENDING_OUTCOMES + 1);
  });
});
