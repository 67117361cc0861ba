import { randomBytes } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS } from "@/db/connect";
import * as schema from "@/db/schema";
import { users } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { decideRequests } from "@/lib/requests/decide-requests";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture } from "@/tests/fixtures";
import { queueOracle, requestSubmitter } from "@/tests/queue-oracle";
import { parseQueueParams } from "./queue-params";
import { countQueue, PEOPLE_CAP, queryQueue } from "./queue-query";

// An owner's unfiltered view is counted from their products' parts (countOwnersView), everyone
// else's from the requests. Both must say what the view's rows say, at every cap: a request of two
// of the owner's products counted once, a request shared with another owner counted for both, one
// product past the cap, or only the products together past it.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const otherOwner = await f.user("owner");
const theirs = await f.newProduct("count-other", "Count Other API", otherOwner.id);
const admin = await f.user("admin");
const tag = randomBytes(3).toString("hex");

const submit = requestSubmitter(t.db, f.plan("Standard").id);
const request = (userId: string, productIds: string[]) => submit(userId, productIds, "App", "Count");
const asOwner: Actor = { kind: "user", id: owner.id, role: "owner", disabled: false };
const [payments, geocoding, weather] = ["payments", "geocoding", "weather"].map((slug) => f.product(slug).id) as [string, string, string];
const consumers = [await f.user(), await f.user(), await f.user(), await f.user(), await f.user()] as const;
const onlyPayments = await request(consumers[0].id, [payments]);
await request(consumers[1].id, [payments, geocoding]);
await request(consumers[2].id, [payments, theirs.id]);
await request(consumers[3].id, [theirs.id]);
await request(consumers[4].id, [payments]);
// The owner's own request, of their own product (they see it; the queue says they may not decide it).
await request(owner.id, [weather]);
// The other owner's request of the owner's product, then denied: seen by the owner in "denied" and "all".
const denied = await request(otherOwner.id, [geocoding, payments]);
await decideRequests(t.db, asOwner, { requestIds: [denied.id, onlyPayments.id], decision: "deny", comment: "Not now", baseUrl: "http://x" });

const asOtherOwner: Actor = { kind: "user", id: otherOwner.id, role: "owner", disabled: false };
const asDisabledOwner: Actor = { kind: "user", id: owner.id, role: "owner", disabled: true };
const asAdmin: Actor = { kind: "user", id: admin.id, role: "admin", disabled: false };
const viewers: [string, Actor][] = [
  ["owner", asOwner],
  ["the other owner (shares one request)", asOtherOwner],
  ["the owner, disabled", asDisabledOwner],
  ["admin", asAdmin],
  ["a consumer who requested", { kind: "user", id: consumers[1].id, role: "consumer", disabled: false }],
  ["an API key for payments", apiKeyActor(admin.id, [{ role: "product_viewer", products: [payments] }])],
];

const queuePool = createDb(t.url, { max: 2, settings: INDEX_ORDER_SETTINGS });
afterAll(() => queuePool.sql.end());

describe("the queue's count of an unfiltered view", () => {
  it.each(viewers)("agrees with the view's rows at every cap, in every status: %s", async (_, viewer) => {
    for (const status of ["pending", "denied", "approved", "all"]) {
      const p = parseQueueParams({ status, size: "100" });
      const rows = (await queryQueue(t.db, viewer, p)).rows.length;
      for (const db of [t.db, queuePool.db]) {
        for (let cap = 1; cap <= rows + 1; cap++) {
          expect(await countQueue(db, viewer, p, { cap }), `${status}, cap ${cap}`).toEqual({ total: Math.min(rows, cap), capped: rows > cap });
        }
      }
    }
  });

  it("counts what each viewer should see", async () => {
    const counts = async (viewer: Actor) => {
      const out: number[] = [];
      for (const status of ["pending", "denied", "all"]) out.push((await countQueue(t.db, viewer, parseQueueParams({ status }))).total);
      return out;
    };
    // owner: 4 pending (the two-product request once, the one shared with the other owner, their own), 2 denied
    expect(await counts(asOwner)).toEqual([4, 2, 6]);
    // the other owner: the shared request and their product's own, and nothing of the owner's alone
    expect(await counts(asOtherOwner)).toEqual([2, 0, 2]);
    expect(await counts(asDisabledOwner)).toEqual([0, 0, 0]);
    expect(await counts(asAdmin)).toEqual([5, 2, 7]);
  });
});

// A view filtered by requester alone: an owner's is counted from the named people's parts
// (countOwnersPeople) up to PEOPLE_CAP people, past it and for everyone else from the requests. Each
// must say what the oracle (tests/queue-oracle.ts: the requests' own requester and status, in
// JavaScript) says the view holds, capped.
describe("the queue's count of a view filtered by requester", () => {
  // One person with three requests the owner sees (a count of people would say 1), one of them of
  // two of the owner's products, named unlike their address (a pattern naming them matches the name
  // alone); two whose names hold LIKE's own characters, one of them with two requests (a pattern's
  // backslash read as LIKE's escape would find the other); and more people than PEOPLE_CAP named by
  // one pattern, two of them with requests.
  const person = async (email: string, name: string) => {
    const [row] = await t.db.insert(users).values({ email, name, role: "consumer" }).returning();
    if (!row) throw new Error("user insert");
    return row;
  };
  let rep: typeof users.$inferSelect;
  beforeAll(async () => {
    rep = await person(`rep-${tag}@example.com`, `Ruth Sandoval ${tag}`);
    for (const productIds of [[payments], [geocoding], [payments, weather]]) await request(rep.id, productIds);
    await request((await person(`pat-${tag}@example.com`, "Pat_Rate 100%")).id, [payments]);
    const backslash = await person(`back-${tag}@example.com`, "Back\\slash Jones");
    await request(backslash.id, [payments]);
    await request(backslash.id, [geocoding]);
    const crowd: (typeof users.$inferSelect)[] = [];
    for (let i = 0; i < PEOPLE_CAP + 2; i++) crowd.push(await person(`crowd-${i}-${tag}@example.com`, `Crowd ${i}`));
    const [first, last] = [crowd[0], crowd[PEOPLE_CAP + 1]];
    if (!first || !last) throw new Error("crowd missing");
    await request(first.id, [payments]);
    await request(last.id, [payments, theirs.id]);
  });

  it.each(viewers)("says what the oracle says at every cap, in every status: %s", async (_, viewer) => {
    const patterns = [
      ...consumers.map((c) => c.email),
      rep.email,
      "consumer-", // every consumer's email: several people
      "Sandoval", // a name, and no address
      "Crowd", // past PEOPLE_CAP people
      owner.email, // the owner's own request
      otherOwner.email, // the other owner's request, denied
      "_",
      "%",
      "\\",
      "nobody-at-all",
    ];
    for (const requester of patterns) {
      for (const status of ["pending", "denied", "approved", "all"]) {
        const expected = (await queueOracle(t.db, viewer, { status, requester })).length;
        const p = parseQueueParams({ status, requester });
        for (const db of [t.db, queuePool.db]) {
          for (let cap = 1; cap <= expected + 1; cap++) {
            expect(await countQueue(db, viewer, p, { cap }), `${requester}, ${status}, cap ${cap}`).toEqual({ total: Math.min(expected, cap), capped: expected > cap });
          }
        }
      }
    }
  });

  it("counts requests, not people or parts, and none of another owner's alone", async () => {
    const count = async (viewer: Actor, requester: string, status = "all", cap?: number) => countQueue(t.db, viewer, parseQueueParams({ status, requester }), cap === undefined ? {} : { cap });
    expect(await count(asOwner, rep.email)).toEqual({ total: 3, capped: false });
    expect(await count(asOwner, rep.email, "all", 2)).toEqual({ total: 2, capped: true });
    expect(await count(asOwner, rep.email, "all", 3)).toEqual({ total: 3, capped: false });
    expect((await count(asOwner, consumers[1].email)).total).toBe(1); // payments and geocoding: one request
    expect((await count(asOwner, consumers[2].email)).total).toBe(1); // shared with the other owner
    expect((await count(asOtherOwner, consumers[2].email)).total).toBe(1);
    expect((await count(asOwner, consumers[3].email)).total).toBe(0); // the other owner's product alone
    expect((await count(asOwner, "Crowd")).total).toBe(2);
    expect((await count(asOtherOwner, "Crowd")).total).toBe(1);
    expect((await count(asOwner, "Sandoval")).total).toBe(3);
    // LIKE's characters are the text's own
    expect((await count(asOwner, "%")).total).toBe(1);
    expect((await count(asOwner, "_")).total).toBe(1);
    expect((await count(asOwner, "\\")).total).toBe(2);
    expect((await count(asDisabledOwner, "consumer-")).total).toBe(0);
  });

  it("reads the people's parts up to PEOPLE_CAP people named, and past it counts from the requests", async () => {
    const seen: string[] = [];
    const watched = postgres(t.url, { max: 1, onnotice: () => {}, debug: (_connection, query) => void seen.push(query) });
    try {
      const db = drizzle(watched, { schema, casing: "snake_case" });
      const statements = async (requester: string) => {
        seen.length = 0;
        await countQueue(db, asOwner, parseQueueParams({ status: "all", requester }));
        return { parts: seen.some((q) => q.includes("cross join lateral")), requests: seen.some((q) => q.includes('from "access_requests"')) };
      };
      expect(await statements("Sandoval")).toEqual({ parts: true, requests: false });
      expect(await statements("Crowd")).toEqual({ parts: true, requests: true });
      // A search's people, for an owner with no other filter, are read from their parts too; with a
      // plan filter, request by request.
      const searched = async (view: Record<string, string>) => {
        seen.length = 0;
        const counted = await countQueue(db, asOwner, parseQueueParams({ status: "all", ...view }));
        const read = seen.some((q) => q.includes("cross join lateral"));
        expect(counted.total).toBe((await queueOracle(t.db, asOwner, { status: "all", ...view })).length);
        return read;
      };
      expect(await searched({ q: "Sandoval" })).toBe(true);
      expect(await searched({ q: "Sandoval", plan: f.plan("Standard").id })).toBe(false);
    } finally {
      await watched.end();
    }
  });

  it("tests a status in the requester's indexes, for the page and for the count (drizzle/0036)", async () => {
    // The pending view filtered by a person: each of their requests and parts is tested for its
    // status in the index that finds it, not on a table page it then reads for that alone.
    const seen: [string, unknown[]][] = [];
    const watched = postgres(t.url, {
      max: 1,
      onnotice: () => {},
      connection: { ...INDEX_ORDER_SETTINGS, plan_cache_mode: "force_custom_plan" },
      debug: (_connection, query, params) => void seen.push([query, params]),
    });
    try {
      const db = drizzle(watched, { schema, casing: "snake_case" });
      const p = parseQueueParams({ status: "pending", requester: "Sandoval" });
      await queryQueue(db, asOwner, p);
      await countQueue(db, asOwner, p);
      const plans: string[] = [];
      for (const [query, params] of seen.splice(0)) {
        if (!/access_requests|access_request_products/.test(query)) continue;
        const plan = await watched.unsafe(`explain ${query}`, params as never[]);
        plans.push(plan.map((r) => String(r["QUERY PLAN"])).join("\n"));
      }
      const testedIn = (index: string) =>
        plans.some((plan) => new RegExp(`using ${index} on [^\\n]*\\n\\s*Index Cond: \\([^\\n]*status = 'pending'`).test(plan));
      expect(testedIn("access_requests_requester_created_status_idx"), plans.join("\n\n")).toBe(true);
      expect(testedIn("access_request_products_requester_status_idx"), plans.join("\n\n")).toBe(true);
    } finally {
      await watched.end();
    }
  });
});
