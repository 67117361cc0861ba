import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { usageLimiter } from "@/lib/usage/limiter";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { importedKeysFlag } from "./imported-keys";
import { hashSecret } from "./key-format";
import { revokeRequests, rollKey } from "./key-lifecycle";
import { createVerifyContext } from "./verify-context";
import { type VerifyResult, lookupKey, verifyKey } from "./verify-key";
import { startVerifyServer } from "./verify-server";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);
const lookup = (hash: string) => lookupKey(t.sql, hash);

/** A claimed key whose request's plan snapshot has these limits (as if the plan said so when it was asked for). */
async function keyWithLimits(limits: { rateLimitPerMinute?: number | null; quotaPerMonth?: number | null; enforceLimits?: boolean }, slugs = ["payments"]) {
  const { user, request, token } = await approvedRequestFor({ db: t.db, f, approver, baseUrl }, { slugs });
  await t.sql`update access_requests set plan = plan || ${JSON.stringify(limits)}::jsonb where id = ${request.id}`;
  const { plaintext, key } = await claimKey(t.db, token, user.id, { prefix });
  return { user, request, key: plaintext, keyId: key.id };
}

/** A clock fixed at a moment just after the keys were made (they are valid from their creation). */
function clock() {
  let at = Date.now() + 1000;
  return { now: () => at, date: () => new Date(at), advance: (ms: number) => void (at += ms) };
}

const usage = (keyId: string) =>
  t.sql<{ outcome: string; product: string; count: number }[]>`
    select outcome, product, count::int as count from key_usage_daily where key_id = ${keyId} order by outcome, product`;

describe("limits at verify", () => {
  it("61 calls in a minute on a 60/min plan: 60 × 200 with RateLimit fields, then 429 naming the rate limit, with Retry-After", async () => {
    const c = clock();
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const { key, keyId } = await keyWithLimits({ rateLimitPerMinute: 60, quotaPerMonth: 1_000_000 });
    const results: VerifyResult[] = [];
    for (let i = 0; i < 61; i++) results.push(await verifyKey({ key, product: "payments" }, lookup, { prefix, limiter, now: c.date() }));
    expect(results.map((r) => r.status).filter((s) => s === 200)).toHaveLength(60);
    expect(results[0]?.headers).toMatchObject({
      "RateLimit-Policy": '"minute";q=60;w=60, "month";q=1000000;w=2592000',
      RateLimit: expect.stringMatching(/^"minute";r=59;t=\d+, "month";r=999999;t=\d+$/),
    });
    expect(results[59]?.headers.RateLimit).toMatch(/^"minute";r=0;/);
    const refused = results[60];
    expect(refused?.status).toBe(429);
    expect(refused?.body).toMatchObject({ valid: false, limit: "rate_limit", keyId });
    expect(String(refused?.body.error)).toContain("60 calls per minute");
    expect(Number(refused?.headers["Retry-After"])).toBeGreaterThan(0);
    expect(refused?.headers.RateLimit).toMatch(/^"minute";r=0;t=\d+/);

    await limiter.flush();
    expect(await usage(keyId)).toEqual([
      { outcome: "allowed", product: "payments", count: 60 },
      { outcome: "rate_limited", product: "payments", count: 1 },
    ]);
  });

  it("a request's keys share its limits: a roll does not reset them", async () => {
    const c = clock();
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const { user, request, key, keyId } = await keyWithLimits({ rateLimitPerMinute: 5 });
    for (let i = 0; i < 5; i++) expect((await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() })).status).toBe(200);
    const rolled = await rollKey(t.db, user.id, { requestId: request.id, keyId }, { prefix, graceHours: 1, baseUrl });
    const fresh = await verifyKey({ key: rolled.plaintext }, lookup, { prefix, limiter, now: c.date() });
    expect(fresh.status).toBe(429);
    // the old key, still in its grace period, is limited as well
    expect((await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() })).status).toBe(429);
  });

  it("the monthly quota: past it, 429 naming the quota, until the month turns", async () => {
    const c = clock();
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const { key } = await keyWithLimits({ rateLimitPerMinute: null, quotaPerMonth: 3 });
    for (let i = 0; i < 3; i++) expect((await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() })).status).toBe(200);
    const refused = await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ limit: "quota" });
    expect(refused.headers["RateLimit-Policy"]).toBe('"month";q=3;w=2592000');
    expect(Number(refused.headers["Retry-After"])).toBeGreaterThan(0);
    expect(Number(refused.headers["Retry-After"])).toBeLessThanOrEqual(31 * 24 * 3600);
  });

  it("a plan whose gateway enforces the limits: verify answers 200 past them, still reports and counts them", async () => {
    const c = clock();
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const { key, keyId } = await keyWithLimits({ rateLimitPerMinute: 2, enforceLimits: false });
    const results: VerifyResult[] = [];
    for (let i = 0; i < 4; i++) results.push(await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results[0]?.body.plan).toMatchObject({ rateLimitPerMinute: 2, limitsEnforcedBy: "gateway" });
    expect(results[3]?.headers.RateLimit).toMatch(/^"minute";r=0;/);
    await limiter.flush();
    expect(await usage(keyId)).toEqual([{ outcome: "allowed", product: "payments", count: 4 }]);
  });

  it("records every outcome per product: another product (403), a call naming none on a two-product key, revoked", async () => {
    const c = clock();
    const limiter = usageLimiter(t.sql, { now: c.now, flushMs: 60_000 });
    const { request, key, keyId } = await keyWithLimits({ rateLimitPerMinute: 100 }, ["payments", "weather"]);
    expect((await verifyKey({ key, product: "weather" }, lookup, { prefix, limiter, now: c.date() })).status).toBe(200);
    expect((await verifyKey({ key }, lookup, { prefix, limiter, now: c.date() })).status).toBe(200);
    expect((await verifyKey({ key, product: "invoices" }, lookup, { prefix, limiter, now: c.date() })).status).toBe(403);
    await revokeRequests(t.db, approver, { requestIds: [request.id], reason: "test", baseUrl });
    expect((await verifyKey({ key, product: "payments" }, lookup, { prefix, limiter })).status).toBe(401);
    await limiter.flush();
    expect(await usage(keyId)).toEqual([
      { outcome: "allowed", product: "", count: 1 },
      { outcome: "allowed", product: "weather", count: 1 },
      { outcome: "unknown_product", product: "invoices", count: 1 },
      { outcome: "revoked", product: "payments", count: 1 },
    ]);
  });

  it("without a limiter (the bench's raw server) nothing is counted and no RateLimit fields are sent", async () => {
    const { key } = await keyWithLimits({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 3; i++) {
      const r = await verifyKey({ key }, lookup, { prefix });
      expect(r.status).toBe(200);
      expect(r.headers.RateLimit).toBeUndefined();
    }
  });
});

describe("two verify listeners on one database", () => {
  it("exceed a 60/min limit by at most what both admit in one flush interval, and answer 429 with the same fields", async () => {
    // Each listener has its own in-memory counts, as two instances do. The flush interval is driven
    // by the test (one tick = 5 calls to each, then both flush), so the bound is exact: 60 + 2 × 5.
    const contexts = [createVerifyContext(t.sql, { flushMs: 3_600_000 }), createVerifyContext(t.sql, { flushMs: 3_600_000 })];
    const servers = await Promise.all(contexts.map((context) => startVerifyServer({ sql: t.sql, prefix, port: 0, context })));
    try {
      const { key, keyId } = await keyWithLimits({ rateLimitPerMinute: 60 });
      const statuses: number[] = [];
      let last429: { headers: Headers; body: unknown } | undefined;
      for (let tick = 0; tick < 12; tick++) {
        for (const server of servers) {
          for (let i = 0; i < 5; i++) {
            const res = await fetch(`${server.url}/api/v1/keys/verify?product=payments`, { headers: { authorization: `Bearer ${key}` } });
            statuses.push(res.status);
            const body: unknown = await res.json();
            if (res.status === 429) last429 = { headers: res.headers, body };
          }
        }
        await Promise.all(contexts.map((c) => c.limiter.flush()));
      }
      const allowed = statuses.filter((s) => s === 200).length;
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect(allowed).toBeGreaterThanOrEqual(60);
      expect(allowed).toBeLessThanOrEqual(60 + 2 * 5);
      expect(last429?.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(last429?.headers.get("ratelimit-policy")).toMatch(/^"minute";q=60;w=60\b/);
      expect(last429?.body).toMatchObject({ valid: false, limit: "rate_limit" });
      const [sum] = await t.sql<{ allowed: number; limited: number }[]>`
        select coalesce(sum(count) filter (where outcome = 'allowed'), 0)::int as allowed,
               coalesce(sum(count) filter (where outcome = 'rate_limited'), 0)::int as limited
        from key_usage_daily where key_id = ${keyId}`;
      expect(sum).toEqual({ allowed, limited: statuses.length - allowed });
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(contexts.map((c) => c.flush()));
    }
  });

  it("flushes on its own at least once a second", async () => {
    const context = createVerifyContext(t.sql);
    const server = await startVerifyServer({ sql: t.sql, prefix, port: 0, context });
    try {
      const { key, keyId } = await keyWithLimits({ rateLimitPerMinute: 600 });
      const res = await fetch(`${server.url}/api/v1/keys/verify`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const started = Date.now();
      let rows = await usage(keyId);
      while (rows.length === 0 && Date.now() - started < 3000) {
        await new Promise((r) => setTimeout(r, 50));
        rows = await usage(keyId);
      }
      expect(rows).toEqual([{ outcome: "allowed", product: "payments", count: 1 }]);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await server.close();
      await context.flush();
    }
  });
});

describe("imported keys in another format", () => {
  it("verify looks them up only while imported keys exist; garbage is still refused before any lookup", async () => {
    const { request, keyId } = await keyWithLimits({});
    const foreign = `sk_live_${crypto.randomUUID().replaceAll("-", "")}`;
    let lookups = 0;
    const counting = (hash: string) => {
      lookups += 1;
      return lookup(hash);
    };
    const flag = importedKeysFlag(t.sql, 3_600_000);
    await flag.refresh();
    expect(flag.get()).toBe(false);
    expect((await verifyKey({ key: foreign }, counting, { prefix, importedKeys: flag.get })).status).toBe(401);
    expect(lookups).toBe(0);

    const [app] = await t.sql<{ app_id: string }[]>`select app_id from access_requests where id = ${request.id}`;
    await t.sql`insert into api_keys (id, key_hash, start, app_id, request_id, imported_at)
      values (${crypto.randomUUID()}, ${hashSecret(foreign)}, 'sk_live_', ${app?.app_id ?? ""}, ${request.id}, now())`;
    await t.sql`update api_keys set ends_at = now(), end_reason = 'rolled' where id = ${keyId}`;
    await flag.refresh();
    expect(flag.get()).toBe(true);
    const ok = await verifyKey({ key: foreign, product: "payments" }, counting, { prefix, importedKeys: flag.get });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, products: ["payments"] });
    // still refused unread: spaces, control characters, too long
    for (const bad of ["has spaces in it", "x".repeat(513), "short"]) {
      expect((await verifyKey({ key: bad }, counting, { prefix, importedKeys: flag.get })).status).toBe(401);
    }
    expect(lookups).toBe(1);
    flag.stop();
  });
});
