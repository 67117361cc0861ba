import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS, type Queryable } from "@/db/connect";
import { accessRequests, products } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture } from "@/tests/fixtures";
import { expectQueueMatchesOracle, type PageReadOptions, type QueueView, queueOracle, rawRequests, userActor as user, watchStatements as watch, requestSubmitter } from "@/tests/queue-oracle";
import { encodeCursor } from "./queue-cursor";
import { parseQueueParams } from "./queue-params";
import { countQueue, queryQueue, queuePage } from "./queue-query";

// Adversarial review of 57b8a8b (a filtered view last seen past the count's cap is remembered per
// viewer and view, and walked at once with its count beside) and 6cab454 (a search with three
// letters or digits in a row runs with scans priced out and no transaction; an owner's visibility in
// the search's matches is tested against their products listed once: VisibilityOptions.ownedListed).
// Every view is compared with an oracle computed here from the raw tables, page by page with the
// cursors, forward and back, read fresh and read again once remembered, on the main pool (in a
// transaction) and on a pool whose connections start with INDEX_ORDER_SETTINGS (no transaction).

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("missing fixture value");
  return value;
}
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const preset = createDb(t.url, { max: 3, settings: INDEX_ORDER_SETTINGS });
afterAll(() => preset.sql.end({ timeout: 5 }));

const owner = await f.owner(); // owns every demo product
const standard = f.plan("Standard");
const free = f.plan("Free");
const otherOwner = await f.user("owner");
const admin = await f.user("admin");
const carol = await f.user();
const dave = await f.user();
const payments = f.product("payments");
const invoices = f.product("invoices");
const other = await f.newProduct("kiwi-api", "Kiwi API", otherOwner.id);
const lonely = await f.newProduct("lonely", "Lonely", otherOwner.id);

const submit = requestSubmitter(t.db, standard.id);

const made: Awaited<ReturnType<typeof submit>>[] = [];
const people = [carol, dave, otherOwner, admin];
const prods = [[payments.id], [other.id], [invoices.id], [payments.id, other.id], [other.id, lonely.id], [lonely.id]];
for (let i = 0; i < 24; i++) {
  const ps = must(prods[i % prods.length]);
  const planId = ps.includes(invoices.id) && i % 2 ? free.id : standard.id;
  const reason = i % 3 === 0 ? `mango ${i} the api` : `plain ${i}`;
  made.push(await submit(must(people[i % people.length]).id, ps, i % 4 ? "orchard" : "grove", reason, planId));
}
// A few statuses and dates, so filters leave different sets.
const statuses = ["pending", "approved", "pending", "denied", "pending", "cancelled"] as const;
for (const [i, r] of made.entries()) await t.db.update(accessRequests).set({ status: statuses[i % statuses.length] }).where(eq(accessRequests.id, r.id));
await t.db
  .update(accessRequests)
  .set({ createdAt: sql`'2026-01-15T10:00:00Z'::timestamptz + (${sql.raw("1")} * interval '1 hour')` })
  .where(inArray(accessRequests.id, made.filter((_, i) => i % 5 === 0).map((r) => r.id)));

// The oracle: tests/queue-oracle.ts (the raw tables, read in JavaScript).
const check = (db: Queryable, actor: Actor, v: QueueView, label: string, opts: PageReadOptions = {}) => expectQueueMatchesOracle(db, t.db, actor, v, label, opts);
// apiKeyActor gives the key its creator's id: the remembered views' key (actor id) is then shared
// between the admin and a narrowly scoped key.
const kiwiKeyAsAdminId = apiKeyActor(admin.id, [{ role: "product_viewer", products: [other.id] }]);
const viewers: [string, Actor][] = [
  ["admin", user(admin.id, "admin")],
  ["key with the admin's id, Kiwi API only", kiwiKeyAsAdminId],
  ["owner of the demo products", user(owner.id, "owner")],
  ["owner of Kiwi API and Lonely (and a requester)", user(otherOwner.id, "owner")],
  ["disabled admin (same id)", user(admin.id, "admin", true)],
  ["the admin's id as a consumer", user(admin.id, "consumer")],
  ["requester (consumer)", user(carol.id, "consumer")],
  ["key: portal_viewer", apiKeyActor(dave.id, [{ role: "portal_viewer" }])],
  ["key: product_approver Payments", apiKeyActor(owner.id, [{ role: "product_approver", products: [payments.id] }])],
];

const views: QueueView[] = [
  { q: "mango", status: "all" },
  { q: "mango", status: "pending" },
  { q: "api", status: "all" },
  { q: "api", status: "all", sort: "app", dir: "desc" },
  { q: "kiwi", status: "all", sort: "requester" },
  { q: "orchard", status: "all", product: payments.id },
  { q: "ma", status: "all" },
  { product: other.id, status: "all" },
  { product: other.id, status: "all", sort: "plan", dir: "desc" },
  { plan: standard.id, status: "all", sort: "status" },
  { requester: "example", status: "all", sort: "app" },
  { from: "2026-01-01", to: "2026-01-31", status: "all", sort: "requestedFor" },
];

describe("adversary: remembered capped views give the oracle's pages and counts, viewer by viewer", () => {
  for (const [who, actor] of viewers) {
    it(`${who}: fresh, remembered, remembered with countLater, on both pools`, { timeout: 60_000 }, async () => {
      for (const v of views) {
        for (const [poolName, db] of [["main", t.db], ["preset", preset.db]] as const) {
          // cap 3: past it for most views (remembered after the first page), under it for some.
          await check(db, actor, v, `${who} ${poolName} fresh`, { cap: 3 });
          await check(db, actor, v, `${who} ${poolName} remembered`, { cap: 3 });
          await check(db, actor, v, `${who} ${poolName} countLater`, { cap: 3, countLater: true });
          await check(db, actor, v, `${who} ${poolName} uncapped`, {});
        }
      }
    });
  }
});


describe("adversary: the remembered path itself", () => {
  it("is taken on the second read of a capped view (no `matches` statement), on both pools, and gives the same page", async () => {
    const actor = user(otherOwner.id, "owner");
    for (const [poolName, db] of [["main", t.db], ["preset", preset.db]] as const) {
      for (const v of [{ q: "plain", status: "all" }, { product: other.id, status: "all" }, { q: "kiwi", status: "all", sort: "app" }] as QueueView[]) {
        const params = parseQueueParams({ ...v, size: "10" } as Record<string, string>);
        // A cap this view has not been read with yet: no memory.
        const cap = poolName === "main" ? 4 : 5;
        const first: string[][] = [];
        const p1 = await queuePage(watch(db, first), actor, params, { cap });
        expect(first.flat(), `${poolName} ${JSON.stringify(v)}`).toContain("matches");
        expect(p1.count?.capped).toBe(true);
        const second: string[][] = [];
        const p2 = await queuePage(watch(db, second), actor, params, { cap });
        expect(second.flat(), `${poolName} ${JSON.stringify(v)}`).not.toContain("matches");
        expect(p2.rows.map((r) => r.id)).toEqual(p1.rows.map((r) => r.id));
        expect(p2.count).toEqual(p1.count);
        expect(p2.cursors).toEqual(p1.cursors);
      }
    }
  });

  it("a remembered view that shrinks under the cap, to one and to none, then grows past it again: the oracle's rows and counts each time", async () => {
    const actor = user(otherOwner.id, "owner");
    const v: QueueView = { product: lonely.id, status: "pending", sort: "app" };
    const lonelyIds = (await rawRequests(t.db)).filter((r) => r.productIds.includes(lonely.id)).map((r) => r.id);
    const before = await t.db.select({ id: accessRequests.id, status: accessRequests.status }).from(accessRequests).where(inArray(accessRequests.id, lonelyIds));
    try {
      await t.db.update(accessRequests).set({ status: "pending" }).where(inArray(accessRequests.id, lonelyIds));
      for (const [poolName, db] of [["main", t.db], ["preset", preset.db]] as const) {
        await t.db.update(accessRequests).set({ status: "pending" }).where(inArray(accessRequests.id, lonelyIds));
        await check(db, actor, v, `${poolName} all pending`, { cap: 3, size: 10 });
        await check(db, actor, v, `${poolName} all pending again`, { cap: 3, size: 10 });
        await t.db.update(accessRequests).set({ status: "approved" }).where(inArray(accessRequests.id, lonelyIds.slice(1)));
        await check(db, actor, v, `${poolName} one left`, { cap: 3, countLater: true });
        await check(db, actor, v, `${poolName} one left again`, { cap: 3 });
        await t.db.update(accessRequests).set({ status: "pending" }).where(inArray(accessRequests.id, lonelyIds));
        await check(db, actor, v, `${poolName} back`, { cap: 3 });
        await t.db.update(accessRequests).set({ status: "approved" }).where(inArray(accessRequests.id, lonelyIds));
        await check(db, actor, v, `${poolName} none`, { cap: 3, countLater: true });
        await check(db, actor, v, `${poolName} none again`, { cap: 3 });
      }
    } finally {
      for (const r of before) await t.db.update(accessRequests).set({ status: r.status }).where(eq(accessRequests.id, r.id));
    }
  });

  it("a product handed to another owner: the remembered view follows the new owner at once (no stale visibility)", async () => {
    const v: QueueView = { q: "plain", status: "all", product: lonely.id };
    const was = user(otherOwner.id, "owner");
    const now = user(owner.id, "owner");
    await check(t.db, was, v, "before", { cap: 2 });
    await check(t.db, now, v, "before, other", { cap: 2 });
    await t.db.update(products).set({ ownerId: owner.id }).where(eq(products.id, lonely.id));
    try {
      await check(t.db, was, v, "after", { cap: 2 });
      await check(t.db, now, v, "after, new owner", { cap: 2 });
      await check(preset.db, was, { q: "lonely", status: "all" }, "after, search", { cap: 2 });
      await check(preset.db, now, { q: "lonely", status: "all" }, "after, search, new owner", { cap: 2 });
    } finally {
      await t.db.update(products).set({ ownerId: otherOwner.id }).where(eq(products.id, lonely.id));
    }
  });

  it("in a transaction the remembered view is read and counted on the transaction's one connection, count first", async () => {
    const actor = user(admin.id, "admin");
    const v = parseQueueParams({ q: "orchard", status: "all", size: "10" });
    const outside = await queuePage(t.db, actor, v, { cap: 3 });
    expect(outside.count).toEqual({ total: 3, capped: true });
    const want = await queueOracle(t.db, actor, { q: "orchard", status: "all" });
    await t.db.transaction(async (tx) => {
      const reads: string[][] = [];
      const inside = await queuePage(watch(tx, reads), actor, v, { cap: 3, countLater: true });
      expect(reads.flat()).toContain("matches");
      expect(inside.counting).toBeUndefined();
      expect(inside.count).toEqual({ total: 3, capped: true });
      expect(inside.rows.map((r) => r.id)).toEqual(want.slice(0, 10));
    });
  });

  it("many concurrent reads of a remembered view on a pool of two connections finish, each with the oracle's page", { timeout: 60_000 }, async () => {
    const small = createDb(t.url, { max: 2, settings: INDEX_ORDER_SETTINGS });
    try {
      const actor = user(admin.id, "admin");
      // A text of two letters found through the apps ("orchard"): not looked for in reasons.
      for (const q of ["mango", "or"]) {
        const v = parseQueueParams({ q, status: "all", size: "10" });
        const want = (await queueOracle(t.db, actor, { q, status: "all" })).slice(0, 10);
        await queuePage(small.db, actor, v, { cap: 3 });
        const pages = await Promise.all(Array.from({ length: 12 }, (_, i) => queuePage(small.db, actor, v, { cap: 3, countLater: i % 2 === 0 })));
        for (const p of pages) {
          expect(p.rows.map((r) => r.id)).toEqual(want);
          expect(p.count ?? (await p.counting)).toEqual({ total: 3, capped: true });
        }
      }
    } finally {
      await small.sql.end({ timeout: 5 });
    }
  });

  it("queryQueue (no countLater) gives the exact count of a remembered view", async () => {
    const actor = user(owner.id, "owner");
    for (const v of [{ q: "orchard", status: "all" }, { product: payments.id, status: "all" }] as QueueView[]) {
      const want = await queueOracle(t.db, actor, v);
      for (let i = 0; i < 2; i++) {
        const r = await queryQueue(preset.db, actor, parseQueueParams({ ...v, size: "10" } as Record<string, string>));
        expect({ total: r.total, capped: r.capped }).toEqual({ total: want.length, capped: false });
        expect(r.rows.map((x) => x.id)).toEqual(want.slice(0, 10));
      }
    }
  });
});

describe("adversary: search texts (6cab454; since 2026-12-06 every text runs with scans priced out)", () => {
  const texts = ["%", "_", "\\", "a%b", "a_b", "__%", "the", "api", "API", "ma", "@", "@example.com", "example", "e.c", "mango 3", "  mango  ", "ñandú", "日本語", "x".repeat(200)];
  it("each text, capped and remembered and not, on both pools, gives the oracle's pages and counts", { timeout: 60_000 }, async () => {
    const actors = [user(owner.id, "owner"), user(otherOwner.id, "owner"), kiwiKeyAsAdminId];
    for (const q of texts) {
      for (const actor of actors) {
        await check(preset.db, actor, { q: q.trim(), status: "all" }, `q=${JSON.stringify(q)}`, { cap: 3 });
        await check(preset.db, actor, { q: q.trim(), status: "all" }, `q=${JSON.stringify(q)} again`, { cap: 3 });
      }
      await check(t.db, user(admin.id, "admin"), { q: q.trim(), status: "all", sort: "app" }, `q=${JSON.stringify(q)} main`, { cap: 3 });
    }
  });
});

describe("adversary: crafted URLs", () => {
  it("a NUL in the search or the requester filter (/admin/requests?q=%00) is dropped as a bad value, never a server error", async () => {
    const actor = user(admin.id, "admin");
    expect(parseQueueParams({ q: "a\u0000b", requester: "b\u0000", status: "all" })).toMatchObject({ q: undefined, requester: undefined, status: "all" });
    for (const raw of [{ q: "a\u0000b" }, { requester: "a\u0000b" }, { q: "mango\u0000" }]) {
      await expect(queuePage(preset.db, actor, parseQueueParams({ status: "all", ...raw }), { countLater: true })).resolves.toBeDefined();
      await expect(countQueue(preset.db, actor, parseQueueParams({ status: "all", ...raw }))).resolves.toBeDefined();
    }
  });

  it("forged cursors on a remembered view are read as no cursor or as a position, never an error", async () => {
    const actor = user(admin.id, "admin");
    for (const sort of ["createdAt", "requester", "status", "plan", "app", "requestedFor"]) {
      const base = { q: "mango", status: "all", sort, size: "10" };
      await queuePage(t.db, actor, parseQueueParams(base), { cap: 2 });
      for (const key of ["", "zzzz", "not a date", "2026-02-30T00:00:00.000000Z", "pending'; --", "\\", "%", "9999-12-31T23:59:59.999999Z"]) {
        const cursor = encodeCursor({ key, id: must(made[0]).id });
        for (const dir of ["after", "before"]) {
          await expect(queuePage(t.db, actor, parseQueueParams({ ...base, [dir]: cursor }), { cap: 2 })).resolves.toBeDefined();
        }
      }
    }
  });
});
