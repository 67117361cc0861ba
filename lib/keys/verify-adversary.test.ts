import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { usageLimiter } from "@/lib/usage/limiter";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { generateKey } from "./key-format";
import { revokeRequests } from "./key-lifecycle";
import { lookupKey, verifyKey } from "./verify-key";

/** Verify with limits, attacked by a caller: forged product names, keys that only look like ours. */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const approver = userActor(await f.owner());
const lookup = (hash: string) => lookupKey(t.sql, hash);

async function keyWithLimits(limits: Record<string, unknown>, slugs = ["payments"]) {
  const { user, request, token } = await approvedRequestFor({ db: t.db, f, approver, baseUrl }, { slugs });
  await t.sql`update access_requests set plan = plan || ${JSON.stringify(limits)}::jsonb where id = ${request.id}`;
  const { plaintext, key } = await claimKey(t.db, token, user.id, { prefix });
  return { user, request, key: plaintext, keyId: key.id };
}
const usage = (keyId: string) =>
  t.sql<{ outcome: string; product: string; count: number }[]>`
    select outcome, product, count::int as count from key_usage_daily where key_id = ${keyId} order by outcome, product`;

describe("verify attacked", () => {
  it("forged product names cannot fill key_usage_daily: a name that is no product is counted under ''", async () => {
    const limiter = usageLimiter(t.sql, { flushMs: 3_600_000 });
    const { request, key, keyId } = await keyWithLimits({ rateLimitPerMinute: 1000 });
    for (let i = 0; i < 30; i++) {
      expect((await verifyKey({ key, product: `junk-${i}-${"x".repeat(80)}` }, lookup, { prefix, limiter })).status).toBe(403);
    }
    // a real product the key lacks is still named
    expect((await verifyKey({ key, product: "invoices" }, lookup, { prefix, limiter })).status).toBe(403);
    await revokeRequests(t.db, approver, { requestIds: [request.id], reason: "test", baseUrl });
    for (let i = 0; i < 5; i++) expect((await verifyKey({ key, product: `forged-${i}` }, lookup, { prefix, limiter })).status).toBe(401);
    await limiter.flush();
    expect(await usage(keyId)).toEqual([
      { outcome: "unknown_product", product: "", count: 30 },
      { outcome: "unknown_product", product: "invoices", count: 1 },
      { outcome: "revoked", product: "", count: 5 },
    ]);
  });

  it("100 concurrent calls on a 60/min plan: exactly 60 admitted, one lookup each and no other query before the flush", async () => {
    let limiterQueries = 0;
    const watched = new Proxy(t.sql, {
      apply(target, self, args: unknown[]) {
        limiterQueries += 1;
        return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
      },
    });
    const limiter = usageLimiter(watched, { flushMs: 3_600_000 });
    const { key, keyId } = await keyWithLimits({ rateLimitPerMinute: 60 });
    let lookups = 0;
    const counting = (hash: string) => {
      lookups += 1;
      return lookup(hash);
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => verifyKey({ key, product: "payments" }, counting, { prefix, limiter })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(60);
    expect(results.filter((r) => r.status === 429)).toHaveLength(40);
    expect(lookups).toBe(100);
    expect(limiterQueries).toBe(0);
    for (const r of results) {
      // remaining never negative, reset at least 1 s, Retry-After a whole number of seconds ≥ 1
      expect(r.headers.RateLimit).toMatch(/^"minute";r=\d+;t=[1-9]\d*(, "month";r=\d+;t=[1-9]\d*)?$/);
      if (r.status === 429) expect(r.headers["Retry-After"]).toMatch(/^[1-9]\d*$/);
    }
    await limiter.flush();
    expect(await usage(keyId)).toEqual([
      { outcome: "allowed", product: "payments", count: 60 },
      { outcome: "rate_limited", product: "payments", count: 40 },
    ]);
  });

  it("while imported keys exist, a key in Portico's format with a bad checksum is still refused before any lookup", async () => {
    let lookups = 0;
    const counting = (hash: string) => {
      lookups += 1;
      return lookup(hash);
    };
    const good = generateKey(prefix);
    const last = good.at(-1) === "A" ? "B" : "A";
    const badChecksum = `${good.slice(0, -1)}${last}`;
    const r = await verifyKey({ key: badChecksum }, counting, { prefix, importedKeys: () => true });
    expect(r.status).toBe(401);
    expect(lookups).toBe(0);
  });

  it("Retry-After on a rate limit is when a call would be admitted again, not earlier", async () => {
    const MINUTE = 60_000;
    let at = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE + 1000; // 1 s into the next minute
    const limiter = usageLimiter(t.sql, { now: () => at, flushMs: 3_600_000 });
    const id = `req-${crypto.randomUUID()}`;
    const limits = { ratePerMinute: 60, quotaPerMonth: null, enforce: true };
    for (let i = 0; i < 60; i++) expect(limiter.check(id, limits).allowed).toBe(true);
    const refused = limiter.check(id, limits);
    expect(refused.allowed).toBe(false);
    const wait = refused.allowed ? 0 : refused.retryAfterSeconds;
    at += (wait - 1) * 1000;
    expect(limiter.check(id, limits).allowed).toBe(false);
    at += 1000;
    expect(limiter.check(id, limits).allowed).toBe(true);
  });
});
