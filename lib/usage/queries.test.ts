import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  type PlanSnapshot,
  type UsageOutcome,
  accessRequestProducts,
  accessRequests,
  apiKeys,
  apps,
  auditEvents,
  keyUsageDaily,
  products,
  usageCounters,
  users,
} from "@/db/schema";
import { type Actor, userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import {
  decisionsPerDay,
  lastDays,
  productsOfAppUsage,
  quotaUsedThisMonth,
  recentCallsOfKeys,
  recentCallsOfRequests,
  topAppsOfProduct,
  usageOfApp,
  usageOfPortal,
  usageOfProduct,
} from "./queries";

/**
 * What people see of usage (issue 16): rows are inserted directly into key_usage_daily and
 * usage_counters (what verify's limiter flushes), at a fixed clock, so every figure is exact.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const NOW = new Date("2031-03-15T12:00:00Z");
const TODAY = "2031-03-15";
const YESTERDAY = "2031-03-14";
const tag = () => randomBytes(3).toString("hex");
const standard = f.plan("Standard");

async function product(ownerId: string, name: string) {
  const [row] = await t.db
    .insert(products)
    .values({ slug: `${name.toLowerCase()}-${tag()}`, name, ownerId, status: "published" })
    .returning();
  if (!row) throw new Error("product insert");
  return row;
}

const snapshot = (quotaPerMonth: number | null): PlanSnapshot => ({
  name: "Standard",
  autoApprove: false,
  approvalsRequired: 1,
  keyLifetimeDays: null,
  claimLinkLifetimeHours: 72,
  rateLimitPerMinute: 600,
  quotaPerMonth,
  reviewRequired: false,
  requestFields: [],
});

/** An available request of `appId` for these products, with one key per entry of `keys`. */
async function request(
  requesterId: string,
  appId: string,
  productIds: string[],
  opts: { quota?: number | null; keys?: number } = {},
) {
  const [r] = await t.db
    .insert(accessRequests)
    .values({
      requesterId,
      appId,
      planId: standard.id,
      reason: "Because",
      status: "available",
      plan: snapshot(opts.quota === undefined ? 1_000_000 : opts.quota),
    })
    .returning();
  if (!r) throw new Error("request insert");
  await t.db
    .insert(accessRequestProducts)
    .values(productIds.map((productId) => ({ requestId: r.id, productId })));
  const keys = [];
  for (let i = 0; i < (opts.keys ?? 1); i++) {
    const [k] = await t.db
      .insert(apiKeys)
      .values({ keyHash: `hash-${tag()}${tag()}`, start: `ptk_${tag()}`, appId, requestId: r.id })
      .returning();
    if (!k) throw new Error("key insert");
    keys.push(k);
  }
  return { request: r, keys };
}

const usage = (keyId: string, day: string, outcome: UsageOutcome, count: number, product = "") =>
  t.db.insert(keyUsageDaily).values({ keyId, day, outcome, count, product });

// Two owners: A owns Alpha, B owns Beta. A mixed request spans both (B is its "co-owner").
const ownerA = userActor(await f.user("owner"));
const ownerB = userActor(await f.user("owner"));
const admin = userActor(await f.user("admin"));
const consumer = userActor(await f.user("consumer"));
const otherConsumer = userActor(await f.user("consumer"));
const alpha = await product(ownerA.id, "Alpha");
const beta = await product(ownerB.id, "Beta");
const app = await f.app(consumer.id, "Weather app");
const secondApp = await f.app(consumer.id, "Second app");
const strangerApp = await f.app(otherConsumer.id, "Stranger app");

// consumer's Weather app: an Alpha-only request (two keys: the current one and a rolled one) and a mixed one.
const alphaOnly = await request(consumer.id, app.id, [alpha.id], { keys: 2, quota: 1000 });
const mixed = await request(consumer.id, app.id, [alpha.id, beta.id], { quota: null });
const second = await request(consumer.id, secondApp.id, [alpha.id]);
const stranger = await request(otherConsumer.id, strangerApp.id, [alpha.id]);
const [k1, k2] = alphaOnly.keys;
const [km] = mixed.keys;
const [ks] = second.keys;
const [kx] = stranger.keys;
if (!k1 || !k2 || !km || !ks || !kx) throw new Error("keys");

await usage(k1.id, TODAY, "allowed", 340, alpha.slug);
await usage(k1.id, TODAY, "rate_limited", 7, alpha.slug);
await usage(k1.id, YESTERDAY, "allowed", 100, alpha.slug);
await usage(k2.id, "2031-03-10", "revoked", 3, alpha.slug);
await usage(k1.id, "2031-02-14", "allowed", 999, alpha.slug); // the first charted day
await usage(k1.id, "2031-02-13", "allowed", 888, alpha.slug); // the day before it: outside
await usage(km.id, TODAY, "allowed", 20, beta.slug);
await usage(km.id, TODAY, "allowed", 5, alpha.slug);
await usage(km.id, TODAY, "allowed", 2, ""); // named no product: the key has two
await usage(km.id, TODAY, "unknown_product", 1, "gamma");
await usage(ks.id, TODAY, "over_quota", 4, alpha.slug);
await usage(kx.id, TODAY, "allowed", 50, alpha.slug);
await usage(kx.id, "2031-03-16", "allowed", 77, alpha.slug); // tomorrow: not yet

const dayOf = (
  s: { days: { day: string; total: number; counts: Record<string, number> }[] } | null,
  day: string,
) => s?.days.find((d) => d.day === day);

describe("usage queries", () => {
  it("charts exactly the last 30 UTC days, oldest first, zero-filled", async () => {
    const days = lastDays(NOW);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2031-02-14");
    expect(days[29]).toBe(TODAY);
    const s = await usageOfApp(t.db, consumer, { appId: secondApp.id, now: NOW });
    expect(s?.days.map((d) => d.day)).toEqual(days);
    expect(s?.days.filter((d) => d.total === 0)).toHaveLength(29);
    expect(s?.total).toBe(4);
    expect(s?.totals.over_quota).toBe(4);
    // an app with no calls: every day is there, at zero
    const empty = await f.app(consumer.id, "Quiet app");
    const quiet = await usageOfApp(t.db, consumer, { appId: empty.id, now: NOW });
    expect(quiet?.days).toHaveLength(30);
    expect(quiet?.total).toBe(0);
  });

  it("splits an app's calls by outcome, over all its keys, and leaves out days outside the window", async () => {
    const s = await usageOfApp(t.db, consumer, { appId: app.id, now: NOW });
    expect(dayOf(s, TODAY)?.counts).toMatchObject({
      allowed: 340 + 20 + 5 + 2,
      rate_limited: 7,
      unknown_product: 1,
      over_quota: 0,
    });
    expect(dayOf(s, YESTERDAY)?.total).toBe(100);
    expect(dayOf(s, "2031-03-10")?.counts.revoked).toBe(3);
    expect(dayOf(s, "2031-02-14")?.total).toBe(999);
    expect(s?.total).toBe(340 + 7 + 100 + 3 + 999 + 20 + 5 + 2 + 1);
    expect(s?.totals.allowed).toBe(340 + 100 + 999 + 20 + 5 + 2);
  });

  it("filters an app's chart by key and by product", async () => {
    const byKey = await usageOfApp(t.db, consumer, { appId: app.id, keyId: km.id, now: NOW });
    expect(byKey?.total).toBe(28);
    const byProduct = await usageOfApp(t.db, consumer, {
      appId: app.id,
      product: beta.slug,
      now: NOW,
    });
    expect(byProduct?.total).toBe(20);
    const both = await usageOfApp(t.db, consumer, {
      appId: app.id,
      keyId: k1.id,
      product: alpha.slug,
      now: NOW,
    });
    expect(both?.total).toBe(340 + 7 + 100 + 999);
    const unnamed = await usageOfApp(t.db, consumer, { appId: app.id, product: "", now: NOW });
    expect(unnamed?.total).toBe(2);
    // a key of another app filters to nothing rather than showing that app's calls
    const foreignKey = await usageOfApp(t.db, consumer, { appId: app.id, keyId: kx.id, now: NOW });
    expect(foreignKey?.total).toBe(0);
    const names = (await productsOfAppUsage(t.db, consumer, { appId: app.id, now: NOW })).map(
      (p) => p.name,
    );
    expect(names).toEqual(["Alpha", "Beta", "gamma", "No product named"]);
    // a working access not called yet is offered too
    const fresh = await f.app(consumer.id, "Fresh app");
    await request(consumer.id, fresh.id, [beta.id]);
    expect(await productsOfAppUsage(t.db, consumer, { appId: fresh.id, now: NOW })).toEqual([{ slug: beta.slug, name: "Beta" }]);
  });

  it("a product's calls: every app's calls that named it; top apps by calls with what was refused", async () => {
    const s = await usageOfProduct(t.db, ownerA, { productId: alpha.id, now: NOW });
    expect(dayOf(s, TODAY)?.counts).toMatchObject({
      allowed: 340 + 5 + 50,
      rate_limited: 7,
      over_quota: 4,
    });
    expect(s?.total).toBe(340 + 7 + 100 + 3 + 999 + 5 + 4 + 50);
    const top = await topAppsOfProduct(t.db, ownerA, { productId: alpha.id, now: NOW });
    expect(top?.map((a) => [a.appName, a.calls, a.allowed, a.refused])).toEqual([
      ["Weather app", 340 + 7 + 100 + 3 + 999 + 5, 340 + 100 + 999 + 5, 10],
      ["Stranger app", 50, 50, 0],
      ["Second app", 4, 0, 4],
    ]);
    expect(
      (await topAppsOfProduct(t.db, ownerA, { productId: alpha.id, limit: 1, now: NOW }))?.map(
        (a) => a.appName,
      ),
    ).toEqual(["Weather app"]);
  });

  it("the portal's calls: all of them for an admin, those naming their products for an owner", async () => {
    const all = await usageOfPortal(t.db, admin, { now: NOW });
    expect(dayOf(all, TODAY)?.total).toBeGreaterThanOrEqual(340 + 7 + 20 + 5 + 2 + 1 + 4 + 50);
    const b = await usageOfPortal(t.db, ownerB, { now: NOW });
    expect(b?.total).toBe(20);
    const a = await usageOfPortal(t.db, ownerA, { now: NOW });
    expect(a?.total).toBe(340 + 7 + 100 + 3 + 999 + 5 + 4 + 50);
  });

  it("calls today and yesterday per key and per request (all the request's keys), for the revoke warning", async () => {
    const keys = await recentCallsOfKeys(t.db, admin, [k1.id, k2.id, km.id], NOW);
    expect(keys.get(k1.id)).toEqual({ today: 347, yesterday: 100 });
    expect(keys.get(k2.id)).toEqual({ today: 0, yesterday: 0 });
    expect(keys.get(km.id)).toEqual({ today: 28, yesterday: 0 });
    const reqs = await recentCallsOfRequests(
      t.db,
      admin,
      [alphaOnly.request.id, mixed.request.id],
      NOW,
    );
    expect(reqs.get(alphaOnly.request.id)).toEqual({ today: 347, yesterday: 100 });
    expect(reqs.get(mixed.request.id)).toEqual({ today: 28, yesterday: 0 });
  });

  it("quota used this month comes from the limiter's month row, beside the snapshot's quota", async () => {
    await t.db.insert(usageCounters).values([
      {
        subjectId: alphaOnly.request.id,
        window: "month",
        windowStart: new Date("2031-03-01T00:00:00Z"),
        count: 447,
      },
      {
        subjectId: alphaOnly.request.id,
        window: "month",
        windowStart: new Date("2031-02-01T00:00:00Z"),
        count: 5000,
      },
      {
        subjectId: alphaOnly.request.id,
        window: "minute",
        windowStart: new Date("2031-03-15T11:59:00Z"),
        count: 12,
      },
    ]);
    const q = await quotaUsedThisMonth(
      t.db,
      consumer,
      [alphaOnly.request.id, mixed.request.id],
      NOW,
    );
    expect(q.get(alphaOnly.request.id)).toMatchObject({ used: 447, quota: 1000 });
    expect(q.get(mixed.request.id)).toMatchObject({ used: 0, quota: null });
  });

  it("requests decided per day from the audit log: approved, auto-approved, denied; an owner sees their requests'", async () => {
    const at = (day: string) => new Date(`${day}T10:00:00Z`);
    await t.db.insert(auditEvents).values([
      {
        actorId: ownerA.id,
        action: "request.approved",
        subjectType: "request",
        subjectId: alphaOnly.request.id,
        createdAt: at(TODAY),
      },
      {
        actorId: null,
        actorType: "auto-approve",
        action: "request.approved",
        subjectType: "request",
        subjectId: second.request.id,
        createdAt: at(TODAY),
      },
      {
        actorId: ownerB.id,
        action: "request.denied",
        subjectType: "request",
        subjectId: mixed.request.id,
        createdAt: at(YESTERDAY),
      },
      {
        actorId: ownerA.id,
        action: "request.approval_recorded",
        subjectType: "request",
        subjectId: mixed.request.id,
        createdAt: at(YESTERDAY),
      },
      {
        actorId: ownerA.id,
        action: "request.approved",
        subjectType: "request",
        subjectId: stranger.request.id,
        createdAt: at("2031-01-01"),
      },
    ]);
    const forA = await decisionsPerDay(t.db, ownerA, { now: NOW });
    expect(dayOf(forA, TODAY)?.counts).toEqual({ approved: 1, auto_approved: 1, denied: 0 });
    expect(dayOf(forA, YESTERDAY)?.counts).toEqual({ approved: 0, auto_approved: 0, denied: 1 });
    expect(forA?.total).toBe(3);
    const forB = await decisionsPerDay(t.db, ownerB, { now: NOW });
    expect(forB?.totals).toEqual({ approved: 0, auto_approved: 0, denied: 1 });
    // An admin counts every decision in the window: not the one of 2031-01-01, nor a recorded approval.
    const forAdmin = await decisionsPerDay(t.db, admin, { now: NOW });
    expect(forAdmin?.totals).toEqual({ approved: 1, auto_approved: 1, denied: 1 });
    expect(await decisionsPerDay(t.db, consumer, { now: NOW })).toBeNull();
  });

  describe("who sees what", () => {
    const appCases: [string, boolean, () => Actor][] = [
      ["its consumer", true, () => consumer],
      ["another consumer", false, () => otherConsumer],
      ["the owner of its products", false, () => ownerA],
      ["an admin (apps are their consumers')", false, () => admin],
    ];
    it.each(appCases)("an app's chart: %s (sees it: %s)", async (_, sees, actor) => {
      expect((await usageOfApp(t.db, actor(), { appId: app.id, now: NOW })) !== null).toBe(sees);
      expect(
        (await productsOfAppUsage(t.db, actor(), { appId: app.id, now: NOW })).length > 0,
      ).toBe(sees);
    });

    it("a consumer's other app shows only its own calls, and a deleted app nothing", async () => {
      expect((await usageOfApp(t.db, consumer, { appId: secondApp.id, now: NOW }))?.total).toBe(4);
      const gone = await f.app(consumer.id, "Gone");
      await t.db.update(apiKeys).set({ appId: gone.id }).where(eq(apiKeys.id, ks.id));
      await t.db.update(apps).set({ deletedAt: NOW }).where(eq(apps.id, gone.id));
      expect(await usageOfApp(t.db, consumer, { appId: gone.id, now: NOW })).toBeNull();
      await t.db.update(apiKeys).set({ appId: secondApp.id }).where(eq(apiKeys.id, ks.id));
    });

    const productCases: [string, boolean, () => Actor][] = [
      ["its owner", true, () => ownerA],
      ["an admin", true, () => admin],
      ["the co-owner of a mixed request (owner of another product)", false, () => ownerB],
      ["its consumer", false, () => consumer],
    ];
    it.each(productCases)(
      "a product's chart and top apps: %s (sees them: %s)",
      async (_, sees, actor) => {
        expect(
          (await usageOfProduct(t.db, actor(), { productId: alpha.id, now: NOW })) !== null,
        ).toBe(sees);
        expect(
          (await topAppsOfProduct(t.db, actor(), { productId: alpha.id, now: NOW })) !== null,
        ).toBe(sees);
      },
    );

    it("the portal chart: nobody but owners and admins", async () => {
      expect(await usageOfPortal(t.db, consumer, { now: NOW })).toBeNull();
      const [disabled] = await t.db
        .insert(users)
        .values({ email: `off-${tag()}@example.com`, role: "admin", disabledAt: NOW })
        .returning();
      if (!disabled) throw new Error("user");
      expect(await usageOfPortal(t.db, userActor(disabled), { now: NOW })).toBeNull();
    });

    const requestCases: [string, string, () => Actor][] = [
      ["the requester", "alphaOnly mixed", () => consumer],
      ["another consumer", "", () => otherConsumer],
      ["the owner of Alpha", "alphaOnly mixed", () => ownerA],
      ["the co-owner (owner of Beta)", "mixed", () => ownerB],
      ["an admin", "alphaOnly mixed", () => admin],
    ];
    it.each(requestCases)(
      "a request's recent calls and quota: %s sees [%s]",
      async (_, seen, actor) => {
        const expected = seen.split(" ").filter(Boolean);
        const ids = { alphaOnly: alphaOnly.request.id, mixed: mixed.request.id };
        const names = (m: Map<string, unknown>) =>
          Object.entries(ids)
            .filter(([, id]) => m.has(id))
            .map(([n]) => n);
        expect(names(await recentCallsOfRequests(t.db, actor(), Object.values(ids), NOW))).toEqual(
          expected,
        );
        expect(names(await quotaUsedThisMonth(t.db, actor(), Object.values(ids), NOW))).toEqual(
          expected,
        );
        const keyIds = { alphaOnly: k1.id, mixed: km.id };
        const keyNames = (m: Map<string, unknown>) =>
          Object.entries(keyIds)
            .filter(([, id]) => m.has(id))
            .map(([n]) => n);
        expect(
          keyNames(await recentCallsOfKeys(t.db, actor(), Object.values(keyIds), NOW)),
        ).toEqual(expected);
      },
    );
  });
});
