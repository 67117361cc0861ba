import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { expectQueueMatchesOracle, queueOracle, type QueueView, readEveryPage, userActor as user, requestSubmitter } from "@/tests/queue-oracle";
import { encodeCursor } from "./queue-cursor";
import { parseQueueParams, SORTABLE } from "./queue-params";
import { countQueue, queuePage, queryQueue, searchesReasons } from "./queue-query";

// Adversarial review of d7b60e8 (product filter: requestsWithProductVisibleTo, filteredPageQuery by
// id) and fbb4c3b (search as a union of lookups: searchMatches). Every view is compared with an
// oracle computed here in JavaScript from the raw tables (who sees what, what matches), ordered by a
// plain SQL ORDER BY, and read page by page with the cursors, forward and back, in both the
// uncapped path (sorted from the matches) and the capped one (union > cap: walked in key order).

/** The element, known to be there: a test setup that lost it fails here, by name. */
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("missing fixture value");
  return value;
}
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner(); // owns every demo product
const standard = f.plan("Standard");
const free = f.plan("Free");
const otherOwner = await f.user("owner");
const zetaOwner = await f.user("owner");
const carol = await f.user();
const dave = await f.user();
const ilker = await f.user();
await t.db.update(users).set({ name: "İlker Straße" }).where(eq(users.id, ilker.id));
// A person who never gave a name: the search tests their email and their NULL name alike.
const nameless = await f.user();
await t.db.update(users).set({ name: null }).where(eq(users.id, nameless.id));
const admin = await f.user("admin");

const payments = f.product("payments");
const invoices = f.product("invoices");
const other = await f.newProduct("other-api", "Other API", otherOwner.id);
const weird = await f.newProduct("weird", `100% Pure_Value\\API "O'Q"`, otherOwner.id);
const zetas: (typeof other)[] = [];
for (let i = 1; i <= 11; i++) zetas.push(await f.newProduct(`zeta-${i}`, `Zeta ${String(i).padStart(2, "0")}`, zetaOwner.id));

const submit = requestSubmitter(t.db, standard.id);

const paymentsOnly = await submit(dave.id, [payments.id], "alpha", "Testing");
const mixed = await submit(carol.id, [payments.id, other.id], "beta", "Need 50% off");
const otherOnly = await submit(dave.id, [other.id], "gamma", "snake_case reason");
const ownersOwn = await submit(otherOwner.id, [payments.id], "delta", "back\\slash here");
const weirdOne = await submit(ilker.id, [weird.id], "epsilon", "Straße nach İstanbul");
await submit(nameless.id, [payments.id, other.id], "nameless app", "no name given");
const quoted = await submit(carol.id, [invoices.id], "alpha", `it's "quoted"`, free.id);
const long = await submit(dave.id, [invoices.id], "longapp", "x".repeat(150) + "needle" + "y".repeat(100), free.id);
// Three requests naming Zeta 01 to 10 (ten parts each), two naming Zeta 11 alone.
const zetaShared: Awaited<ReturnType<typeof submit>>[] = [];
for (let i = 0; i < 3; i++) {
  const r = await submit(dave.id, [must(zetas[0]).id], `zapp${i}`, "shared zeta");
  await t.db.insert(accessRequestProducts).values(zetas.slice(1, 10).map((z) => ({ requestId: r.id, productId: z.id })));
  zetaShared.push(r);
}
const zetaLone = [await submit(carol.id, [must(zetas[10]).id], "zlone0", "lone"), await submit(carol.id, [must(zetas[10]).id], "zlone1", "lone")];
// Fillers: spread over people, products, plans and statuses, so pages of 10 hold ties.
const fillers: Awaited<ReturnType<typeof submit>>[] = [];
const people = [carol, dave, ilker, otherOwner];
const prods = [[payments.id], [other.id], [invoices.id], [payments.id, other.id], [other.id, weird.id]];
for (let i = 0; i < 14; i++) {
  const ps = must(prods[i % prods.length]);
  const planId = ps.includes(invoices.id) && i % 2 ? free.id : standard.id;
  fillers.push(await submit(must(people[i % people.length]).id, ps, i % 3 ? "alpha" : "omega", `filler ${i} api`, planId));
}
const statuses = ["approved", "denied", "pending", "cancelled"] as const;
for (const [i, r] of [...fillers, otherOnly, weirdOne].entries()) {
  await t.db.update(accessRequests).set({ status: statuses[i % 4] }).where(eq(accessRequests.id, r.id));
}
// Some requested in January, to filter by dates.
await t.db
  .update(accessRequests)
  .set({ createdAt: sql`'2026-01-15T10:00:00Z'::timestamptz + (random() * interval '5 days')` })
  .where(inArray(accessRequests.id, [must(fillers[0]).id, must(fillers[3]).id, must(fillers[7]).id, mixed.id, must(zetaShared[1]).id]));

// The oracle: tests/queue-oracle.ts (the raw tables, read in JavaScript).
const key = (grants: Extract<Actor, { kind: "apiKey" }>["grants"]): Actor => ({
  kind: "apiKey",
  id: randomUUID(),
  keyId: "k",
  createdById: admin.id,
  name: "Automation",
  grants,
  role: "consumer",
  disabled: false,
});

const viewers: [string, Actor][] = [
  ["owner of the demo products", user(owner.id, "owner")],
  ["owner of Other API", user(otherOwner.id, "owner")],
  ["owner of the Zetas", user(zetaOwner.id, "owner")],
  ["disabled owner", user(owner.id, "owner", true)],
  ["disabled admin", user(admin.id, "admin", true)],
  ["admin", user(admin.id, "admin")],
  ["the requester (consumer)", user(carol.id, "consumer")],
  ["an owner as the requester of another's product", user(otherOwner.id, "owner")],
  ["key: portal_viewer", key([{ role: "portal_viewer" }])],
  ["key: product_viewer Other API", key([{ role: "product_viewer", products: [other.id] }])],
  ["key: product_approver Payments", key([{ role: "product_approver", products: [payments.id] }])],
  ["key: product_viewer Zeta 11", key([{ role: "product_viewer", products: [must(zetas[10]).id] }])],
  ["key: product_viewer of a product that does not exist", key([{ role: "product_viewer", products: [randomUUID()] }])],
  ["key: product_viewer all", key([{ role: "product_viewer", products: "all" }])],
  ["key: no grants", key([])],
];

const texts = [
  "Other API",
  "payments",
  "api",
  carol.email,
  nameless.email,
  "nameless",
  "zeta",
  "Zeta 11",
  "%",
  "_",
  "\\",
  "50%",
  "e_c",
  "'",
  '"',
  "O'Q",
  "a",
  "al",
  "x".repeat(150) + "needle" + "y".repeat(44),
  "nothing like it",
  "Pure_Value\\API",
];

const check = (actor: Actor, v: QueueView, cap?: number, label = "") => expectQueueMatchesOracle(t.db, t.db, actor, v, label, { cap });

describe("adversary: the search, viewer by viewer, uncapped and capped", () => {
  for (const [who, actor] of viewers) {
    it(`${who}: every text, every status`, { timeout: 600_000 }, async () => {
      for (const q of texts) {
        for (const cap of [undefined, 3]) {
          await check(actor, { q, status: "all" }, cap, who);
        }
      }
    });
  }
});

describe("adversary: the product filter with and without the search", () => {
  for (const [who, actor] of viewers) {
    it(`${who}: each product, a product that does not exist`, { timeout: 600_000 }, async () => {
      for (const productId of [payments.id, other.id, weird.id, must(zetas[0]).id, must(zetas[10]).id, randomUUID()]) {
        for (const q of [undefined, "api", "zeta", "alpha", "nothing"]) {
          for (const cap of [undefined, 2]) await check(actor, { q, product: productId, status: "all" }, cap, who);
        }
      }
    });
  }
});

describe("adversary: the search with the other filters, every sort and direction, paged both ways", () => {
  const few: [string, Actor][] = [must(viewers[0]), must(viewers[1]), must(viewers[5]), must(viewers[9])];
  for (const [who, actor] of few) {
    it(`${who}`, { timeout: 600_000 }, async () => {
      const views: QueueView[] = [
        { q: "api", status: "all" },
        { q: "api", status: "pending" },
        { q: "alpha", status: "all", plan: free.id },
        { q: "api", status: "all", product: payments.id },
        { q: "api", status: "all", requester: "consumer" },
        { q: "a", status: "all", requester: "İlker" },
        { q: "zeta", status: "all", from: "2026-01-01", to: "2026-01-31" },
        { q: "api", status: "all", from: "2026-01-01" },
        { q: "filler", status: "approved" },
      ];
      for (const v of views) {
        for (const sort of SORTABLE) {
          for (const dir of ["asc", "desc"]) {
            for (const cap of [undefined, 3]) await check(actor, { ...v, sort, dir }, cap, who);
          }
        }
      }
    });
  }
});

describe("adversary: focused cases", () => {
  it("searchesReasons: three letters or digits in a row, in any script; spaces and marks between do not count", () => {
    const cases: [string, boolean][] = [["a", false], ["yy", false], ["ab cd", false], ["%_\\", false], ["1a2", true], ["yyy", true], ["日本語", true], ["ñandú", true], ["x_y_z", false]];
    expect(cases.map(([text]) => [text, searchesReasons(text)])).toEqual(cases);
  });

  it("a text without three letters or digits in a row is not looked for in reasons; three are (walked or sorted from the matches)", async () => {
    // Only the long request's reason holds "yy": no person, app or product does.
    for (const cap of [undefined, 0]) {
      const short = await queuePage(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q: "yy" }), { cap });
      expect(short.rows.map((r) => r.id), `cap ${cap}`).not.toContain(long.id);
      const three = await queuePage(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q: "yyy" }), { cap });
      expect(three.rows.map((r) => r.id), `cap ${cap}`).toContain(long.id);
    }
  });

  it("a search naming many products whose requests overlap: every match counted and shown once (cap 5)", async () => {
    // Zeta 01..10 each hold the same three requests (30 product-request pairs); Zeta 11 two more.
    // Five requests match "zeta": under a cap of 5 the count is exact and the page holds all five.
    const actor = user(admin.id, "admin");
    const page = await queuePage(t.db, actor, parseQueueParams({ status: "all", q: "zeta", size: "10" }), { cap: 5 });
    expect(page.count).toEqual({ total: 5, capped: false });
    expect(page.rows.map((r) => r.id).sort()).toEqual([...zetaShared, ...zetaLone].map((r) => r.id).sort());
  });

  it("the same with the owner of the Zetas and a key scoped to them (cap 5)", async () => {
    for (const actor of [user(zetaOwner.id, "owner"), key([{ role: "product_viewer", products: zetas.map((z) => z.id) }])]) {
      const page = await queuePage(t.db, actor, parseQueueParams({ status: "all", q: "zeta", size: "10" }), { cap: 5 });
      expect(page.count).toEqual({ total: 5, capped: false });
      expect(page.rows.map((r) => r.id).sort()).toEqual([...zetaShared, ...zetaLone].map((r) => r.id).sort());
    }
  });

  it("a search page whose arms each hold at most the cap and together one more is capped; at the cap, every row sorted", async () => {
    // "quokka": two requests' apps and a third's reason; no person or product holds it.
    await submit(dave.id, [payments.id], "quokka-one", "plain");
    await submit(carol.id, [payments.id], "quokka-two", "plain");
    await submit(dave.id, [invoices.id], "plainapp", "about a quokka");
    const actor = user(admin.id, "admin");
    for (const sort of ["createdAt", "app"]) {
      for (const dir of ["asc", "desc"]) {
        const v = { q: "quokka", status: "all", sort, dir };
        // In a transaction: no view is remembered (queuePage), so each page is read by filteredPageQuery.
        await t.db.transaction(async (tx) => {
          const page = (cap: number) => queuePage(tx, actor, parseQueueParams({ ...v, size: "10" }), { cap });
          const want = await queueOracle(tx, actor, v);
          expect(want).toHaveLength(3);
          // The apps' arm alone past the cap.
          expect((await page(1)).count).toEqual({ total: 1, capped: true });
          // The apps' arm at the cap, the union one past it: walked in key order.
          const near = await page(2);
          expect(near.count).toEqual({ total: 2, capped: true });
          expect(near.rows.map((r) => r.id)).toEqual(want);
          // Every match under the cap: sorted from the matches.
          const exact = await page(3);
          expect(exact.count).toEqual({ total: 3, capped: false });
          expect(exact.rows.map((r) => r.id)).toEqual(want);
          for (const cap of [2, 3]) await expectQueueMatchesOracle(tx, tx, actor, v, `${sort} ${dir} cap ${cap}`, { cap, size: 1 });
        });
      }
    }
  });

  it("counts a search's requests, not the products naming them: countQueue at caps 4, 5 and 31", async () => {
    // The products' arm holds 32 rows for "zeta" (30 shared parts and 2 lone ones), 5 requests.
    // countQueue itself: queuePage takes a count from a short page without asking it.
    for (const actor of [user(admin.id, "admin"), user(zetaOwner.id, "owner"), key([{ role: "product_viewer", products: zetas.map((z) => z.id) }])]) {
      const view = parseQueueParams({ status: "all", q: "zeta" });
      expect(await countQueue(t.db, actor, view, { cap: 4 })).toEqual({ total: 4, capped: true });
      expect(await countQueue(t.db, actor, view, { cap: 5 })).toEqual({ total: 5, capped: false });
      expect(await countQueue(t.db, actor, view, { cap: 31 })).toEqual({ total: 5, capped: false });
    }
  });

  it("one arm holding exactly the cap is not capped, one past it is (the reason's arm alone, countQueue)", async () => {
    // "shared zeta" is only in the three shared requests' reason: no person, app or product holds it.
    const v = parseQueueParams({ status: "all", q: "shared zeta" });
    for (const actor of [user(admin.id, "admin"), user(zetaOwner.id, "owner"), key([{ role: "product_viewer", products: zetas.map((z) => z.id) }])]) {
      expect(await countQueue(t.db, actor, v, { cap: 2 })).toEqual({ total: 2, capped: true });
      expect(await countQueue(t.db, actor, v, { cap: 3 })).toEqual({ total: 3, capped: false });
    }
    expect(await countQueue(t.db, user(owner.id, "owner"), v, { cap: 0 })).toEqual({ total: 0, capped: false });
  });

  it("countQueue of a search equals the oracle's count at caps around it, viewer by viewer", { timeout: 600_000 }, async () => {
    for (const [who, actor] of viewers) {
      for (const q of texts) {
        for (const status of ["all", "pending"]) {
          const want = (await queueOracle(t.db, actor, { q, status })).length;
          for (const cap of new Set([0, 1, 2, 3, 5, Math.max(0, want - 1), want, want + 1])) {
            expect(await countQueue(t.db, actor, parseQueueParams({ q, status }), { cap }), `${who} ${q} ${status} cap ${cap}`).toEqual({
              total: Math.min(want, cap),
              capped: want > cap,
            });
          }
        }
      }
    }
  });

  it("a search naming many overlapping products says it is capped when more than the cap match (cap 4)", async () => {
    const page = await queuePage(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q: "zeta", size: "10" }), { cap: 4 });
    expect(page.count).toEqual({ total: 4, capped: true });
    expect(page.rows).toHaveLength(5);
  });

  it("a request with two parts both named by the search appears once (default cap)", async () => {
    const r = await queryQueue(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q: "zeta", size: "100" }));
    expect(r.total).toBe(5);
    expect(new Set(r.rows.map((x) => x.id)).size).toBe(r.rows.length);
  });

  it("unicode case: İ and ß find the same rows as the walked OR condition", async () => {
    for (const q of ["İlker", "ilker", "straße", "STRASSE", "İstanbul", "istanbul"]) {
      const actor = user(admin.id, "admin");
      const union = await readEveryPage(t.db, actor, { q, status: "all" });
      const walked = await readEveryPage(t.db, actor, { q, status: "all" }, { cap: 0 });
      expect(union.forward, q).toEqual(walked.forward);
    }
  });

  it("a text that names only a product the viewer does not own finds nothing of it", async () => {
    // "Zeta" is the Zeta owner's alone; the demo owner sees none of those requests.
    const page = await queryQueue(t.db, user(owner.id, "owner"), parseQueueParams({ status: "all", q: "Zeta 0", size: "100" }));
    expect(page.rows).toEqual([]);
    expect(page.total).toBe(0);
    // Other API's owner sees the mixed request through Other API, not Payments' other requests.
    const other2 = await queryQueue(t.db, user(otherOwner.id, "owner"), parseQueueParams({ status: "all", q: "Payments", size: "100" }));
    const ids = other2.rows.map((r) => r.id);
    expect(ids).toContain(mixed.id);
    expect(ids).not.toContain(paymentsOnly.id);
    expect(ids).not.toContain(ownersOwn.id);
  });

  it("the requesters themselves see nothing of their own requests", async () => {
    for (const who of [carol, dave, ilker]) {
      const page = await queryQueue(t.db, user(who.id, "consumer"), parseQueueParams({ status: "all", q: who.email, size: "100" }));
      expect(page.rows).toEqual([]);
      expect(page.total).toBe(0);
    }
    // An owner who requested another owner's product: not through that product.
    const page = await queryQueue(t.db, user(otherOwner.id, "owner"), parseQueueParams({ status: "all", q: "delta", size: "100" }));
    expect(page.rows.map((r) => r.id)).not.toContain(ownersOwn.id);
  });

  it("a search of 200 characters and one of exactly the long reason's middle", async () => {
    const q = "x".repeat(150) + "needle" + "y".repeat(44);
    expect(q).toHaveLength(200);
    const page = await queryQueue(t.db, user(owner.id, "owner"), parseQueueParams({ status: "all", q, size: "100" }));
    expect(page.rows.map((r) => r.id)).toEqual([long.id]);
    const tooLong = await queryQueue(t.db, user(owner.id, "owner"), parseQueueParams({ status: "all", q: q + "y", size: "100" }));
    // Over 200 characters the search is dropped (optionalText): every request of the view.
    expect(tooLong.rows.length).toBeGreaterThan(1);
  });

  it("the weird product name is found literally, its wildcards not wild", async () => {
    const admin_ = user(admin.id, "admin");
    for (const [q, want] of [
      ["100% Pure_Value\\API", [weirdOne.id]],
      ["100%_Pure", []],
      ["Pure_Value\\API \"O'Q\"", [weirdOne.id]],
      ["Pure Value", []],
    ] as const) {
      const ids = (await queryQueue(t.db, admin_, parseQueueParams({ status: "all", q, size: "100" }))).rows.map((r) => r.id);
      // weird also sits in fillers with Other API
      const extra = fillers.filter((_, i) => i % prods.length === 4).map((r) => r.id);
      expect(ids.filter((id) => !extra.includes(id)), q).toEqual(want);
    }
  });
});

describe("adversary: cursors from outside", () => {
  it("a cursor whose key is not of the sort's type is refused like a damaged one, not a server error", async () => {
    // decodeCursor accepts any key text; the statement casts it (timestamptz here). Pre-existing (the
    // same cast is in the key-order walk), noted here as a NIT: the URL is user input.
    const after = encodeCursor({ key: "not a date", id: randomUUID() });
    await expect(queuePage(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q: "api", after }))).resolves.toBeDefined();
  });
});

describe("adversary: at the real cap (last: adds 500 requests)", () => {
  it("a search naming five products that share 300 requests and hold 40 more each counts 500 and pages through all of them", { timeout: 300_000 }, async () => {
    // 1,700 product-request pairs for 500 requests: the union's product arm stops after 1,001 pairs
    // (about three products' worth), whatever order it reads the products in, before removing the
    // duplicates. The count is exact (500 < 1,000), so no walk follows.
    const dupOwner = await f.user("owner");
    const dups: (typeof other)[] = [];
    for (const i of [1, 2, 3, 4, 5]) dups.push(await f.newProduct(`dup-${i}`, `Dup ${i}`, dupOwner.id));
    // Neither the app nor the reason holds "dup": only the products' names match.
    const tmpl = await submit(dave.id, [must(dups[0]).id], "copyapp", "copied");
    const copies = await t.db.execute<{ id: string }>(sql`insert into access_requests
        (id, requester_id, app_id, plan_id, status, reason, fields, plan, starts_at, created_at)
      select gen_random_uuid()::text, requester_id, app_id, plan_id, 'approved', reason, fields, plan, starts_at, created_at + g * interval '1 ms'
      from access_requests, generate_series(1, 499) g where id = ${tmpl.id} returning id`);
    const ids = [tmpl.id, ...copies.map((r) => r.id)];
    const shared = ids.slice(0, 300);
    const rows = [
      ...shared.flatMap((requestId) => dups.map((d) => ({ requestId, productId: d.id }))).filter((r) => !(r.requestId === tmpl.id && r.productId === must(dups[0]).id)),
      ...dups.flatMap((d, i) => ids.slice(300 + 40 * i, 340 + 40 * i).map((requestId) => ({ requestId, productId: d.id }))),
    ];
    for (let i = 0; i < rows.length; i += 500) await t.db.insert(accessRequestProducts).values(rows.slice(i, i + 500));
    for (const actor of [user(admin.id, "admin"), user(dupOwner.id, "owner"), key([{ role: "product_viewer", products: dups.map((d) => d.id) }])]) {
      const page = await queryQueue(t.db, actor, parseQueueParams({ status: "all", q: "Dup", size: "100" }));
      expect({ total: page.total, capped: page.capped }, actor.kind + actor.role).toEqual({ total: 500, capped: false });
      const seen = await readEveryPage(t.db, actor, { q: "Dup", status: "all" });
      expect(new Set(seen.forward).size).toBe(500);
    }
  });
});

void quoted;

