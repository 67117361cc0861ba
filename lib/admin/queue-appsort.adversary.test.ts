import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Queryable } from "@/db/connect";
import { accessRequests, apps, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { createRequestOnBehalf } from "@/lib/requests/create-request-on-behalf";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture } from "@/tests/fixtures";
import { encodeCursor } from "./queue-cursor";
import { SORTABLE, parseQueueParams } from "./queue-params";
import { queryQueue, queuePage } from "./queue-query";

// Adversarial review of fd2185a / 55f3c90: the app sort with a requester filter walks only the
// named people's apps (access_requests_app_owner_fk), and readableCursor drops cursors it cannot read.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const admin = await f.user("admin");
const seedOwner = await f.owner();
const otherOwner = await f.user("owner");
const other = await f.newProduct(`other-${randomBytes(3).toString("hex")}`, "Other API", otherOwner.id);
const payments = f.product("payments");
const standard = f.plan("Standard");

const tag = randomBytes(3).toString("hex");
async function person(local: string, name: string | null) {
  const [row] = await t.db.insert(users).values({ email: `${local}-${tag}@example.com`, name, role: "consumer" }).returning();
  if (!row) throw new Error("user");
  return row;
}
// Names and emails holding LIKE's wildcards and escape, a name only one person has, no name at all.
const ann = await person("pct%ann", "Ann_Lee");
const bob = await person("back\\slash", "Bob 100%");
const zoe = await person("zed", "Zoë Quux");
const dan = await person("plain-d", null);
const eve = await person("under_score", "Eve");
const abe = await person("x", "ab");
const everyone = [ann, bob, zoe, dan, eve, abe];

async function submit(userId: string, productIds: string[], app: { newAppName?: string; appId?: string }) {
  for (const productId of productIds) await addToCart(t.db, userId, { productId, planId: standard.id });
  return submitRequest(t.db, { userId, baseUrl: "http://x" }, { ...app, reason: "Testing" }, {});
}
// Apps with shared names across owners (the key ties), and an app with two requests.
const made: { id: string; appId: string }[] = [];
for (const [i, p] of everyone.entries()) {
  for (const name of ["Shared app", `Alpha ${i}`, `zeta ${i}`, "Beta"]) {
    const r = await submit(p.id, [payments.id], { newAppName: name });
    made.push(r);
  }
  // A second request on the same app: another product.
  const first = made.at(-4);
  if (!first) throw new Error("no request");
  made.push(await submit(p.id, [other.id], { appId: first.appId }));
}
// A soft-deleted app: its requests stay in the queue.
const gone = made[1];
if (!gone) throw new Error("no request");
await t.db.update(apps).set({ deletedAt: new Date() }).where(eq(apps.id, gone.appId));
// Requested-at and starts-at on whole seconds and shared by several requests (no fractional part in the text).
await t.db.execute(sql`update access_requests set created_at = '2026-03-01 10:00:00+00'::timestamptz + ((('x' || substr(md5(id), 1, 2))::bit(8)::int % 3) * interval '1 second'),
  starts_at = '2026-04-01 00:00:00+00'::timestamptz + ((('x' || substr(md5(id), 3, 2))::bit(8)::int % 2) * interval '30 minutes')`);

const asAdmin: Actor = { kind: "user", id: admin.id, role: "admin", disabled: false };
const asSeedOwner: Actor = { kind: "user", id: seedOwner.id, role: "owner", disabled: false };
const asOtherOwner: Actor = { kind: "user", id: otherOwner.id, role: "owner", disabled: false };
const apiKey = (grants: Extract<Actor, { kind: "apiKey" }>["grants"]) => apiKeyActor(otherOwner.id, grants);
const actors: [string, Actor][] = [
  ["admin", asAdmin],
  ["seed owner", asSeedOwner],
  ["other owner", asOtherOwner],
  ["viewer key of Other API", apiKey([{ role: "product_viewer", products: [other.id] }])],
  ["portal viewer key", apiKey([{ role: "portal_viewer" }])],
];

/** Every request the actor sees, with requester and app, straight from the queue unfiltered. */
async function visible(db: Queryable, actor: Actor) {
  const rows: { id: string; requesterEmail: string; requesterName: string | null }[] = [];
  let after: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await queuePage(db, actor, parseQueueParams({ status: "all", size: "100", after }));
    rows.push(...page.rows);
    if (!page.cursors.next) break;
    after = page.cursors.next;
  }
  return rows;
}

/** The oracle: the visible requests whose requester's email or name holds `text` (any case), in app name, id order. */
async function oracle(actor: Actor, text: string | undefined, dir: "asc" | "desc", sort: string = "app") {
  const seen = await visible(t.db, actor);
  const lower = text?.toLowerCase();
  const ids = new Set(
    seen
      .filter((r) => lower === undefined || r.requesterEmail.toLowerCase().includes(lower) || (r.requesterName ?? "").toLowerCase().includes(lower))
      .map((r) => r.id),
  );
  const key = {
    app: sql`a.name`,
    requester: sql`u.email`,
    createdAt: sql`r.created_at`,
    requestedFor: sql`r.starts_at`,
    status: sql`r.status`,
    plan: sql`(r.plan->>'name')`,
  }[sort];
  const d = sql.raw(dir);
  const ordered = await t.db.execute<{ id: string }>(
    sql`select r.id from access_requests r join apps a on a.id = r.app_id join users u on u.id = r.requester_id order by ${key} ${d}, r.id ${d}`,
  );
  return ordered.map((r) => r.id).filter((id) => ids.has(id));
}

type PageOpts = { cap?: number };
/** Pages forward with cursors.next, then back from the last page with cursors.previous: both must give the oracle. */
async function walkBothWays(db: Queryable, actor: Actor, raw: Record<string, string>, opts: PageOpts) {
  const pages: string[][] = [];
  let after: string | undefined;
  let lastPrevious: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page = await queuePage(db, actor, parseQueueParams({ ...raw, size: "10", after }), opts);
    pages.push(page.rows.map((r) => r.id));
    lastPrevious = page.cursors.previous;
    if (!page.cursors.next) break;
    after = page.cursors.next;
  }
  const forward = pages.flat();
  const back: string[][] = [];
  let before = lastPrevious ?? undefined;
  for (let i = 0; i < 50 && before; i++) {
    const page = await queuePage(db, actor, parseQueueParams({ ...raw, size: "10", before }), opts);
    back.unshift(page.rows.map((r) => r.id));
    before = page.cursors.previous ?? undefined;
  }
  return { forward, backward: [...back.flat(), ...(pages.at(-1) ?? [])], pages: pages.length };
}

const patterns = ["%", "_", "\\", "a", "ab", "AB", "Ann_", "_lee", "100%", "Quux", "zoë", "under_score", "pct%", "back\\s", "plain-d", "example", `-${tag}@`, "nobody-at-all", "e"];

describe("the app sort with a requester filter against an oracle", () => {
  for (const cap of [2, undefined]) {
    for (const [label, actor] of actors) {
      it(`${label}, cap ${cap ?? "default"}: every pattern, both directions, forward and back`, async () => {
        for (const text of patterns) {
          for (const dir of ["asc", "desc"] as const) {
            const expected = await oracle(actor, text, dir);
            const got = await walkBothWays(t.db, actor, { status: "all", sort: "app", dir, requester: text }, { cap });
            expect(got.forward, `${label} ${JSON.stringify(text)} ${dir} forward`).toEqual(expected);
            if (expected.length > 10) expect(got.backward, `${label} ${JSON.stringify(text)} ${dir} back`).toEqual(expected);
          }
        }
      });
    }
  }

  it("a request of a soft-deleted app stays in the filtered app sort, as in the unfiltered one", async () => {
    const [g] = await t.db.select({ requesterId: accessRequests.requesterId }).from(accessRequests).where(eq(accessRequests.id, gone.id));
    const owner = everyone.find((p) => p.id === g?.requesterId);
    if (!owner) throw new Error("no owner");
    const got = await walkBothWays(t.db, asAdmin, { status: "all", sort: "app", requester: owner.email }, { cap: 2 });
    expect(got.forward).toContain(gone.id);
  });
});

describe("cursors the queue writes are read back (readableCursor)", () => {
  const zones = ["UTC", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham", "America/Caracas"];
  const conns = zones.map((zone) => ({ zone, conn: createDb(t.url, { max: 2, settings: { TimeZone: zone } }) }));
  afterAll(async () => {
    for (const { conn } of conns) await conn.sql.end({ timeout: 5 });
  });

  for (const { zone, conn } of conns) {
    it(`session TimeZone ${zone}: every sort, both directions, filtered or not, visits every row once, both ways`, async () => {
      const [row] = await conn.db.execute<{ tz: string }>(sql`select current_setting('TimeZone') as tz`);
      expect(row?.tz).toBe(zone);
      for (const sort of SORTABLE) {
        for (const dir of ["asc", "desc"] as const) {
          for (const [requester, cap] of [[undefined, undefined], ["example", 2], ["example", undefined], ["a", 2]] as const) {
            const label = `${zone} ${sort} ${dir} ${requester ?? "-"} cap ${cap ?? "default"}`;
            const expected = await oracle(asAdmin, requester, dir, sort);
            const raw: Record<string, string> = { status: "all", sort, dir };
            if (requester) raw.requester = requester;
            const got = await walkBothWays(conn.db, asAdmin, raw, { cap });
            expect(got.forward, label).toEqual(expected);
            expect(new Set(got.forward).size, label).toBe(got.forward.length);
            expect(got.backward, `${label} back`).toEqual(expected);
          }
        }
      }
    });
  }

  // Keys the statement cannot read (found letting a forged URL fail the statement, a 500, before
  // readableCursor checked that a timestamp key is a real date and decodeCursor refused a NUL): each
  // is page one.
  const forged: [string, string][] = [
    ["createdAt", "2026-02-30T10:00:00.000000Z"],
    ["requestedFor", "2026-13-45T10:00:00.000000Z"],
    ["createdAt", "0000-01-01T00:00:00.000000Z"],
    ["createdAt", "2026-01-01T25:00:00.000000Z"],
    ["createdAt", "pending"],
    ["createdAt", "not a date"],
    ["status", "2026-03-01 10:00:00+00"],
    ["createdAt", "2026-13-45 99:99:99+00"],
    ["requestedFor", "2026-02-30 10:00:00+00"],
    ["createdAt", "2026-01-01 10:00:00+99"],
    ["createdAt", "0000-01-01 00:00:00+00"],
    ["app", "a\u0000b"],
    ["requester", "\u0000"],
    ["plan", "x\u0000"],
  ];
  for (const [sort, key] of forged) {
    it(`a forged ${sort} cursor ${JSON.stringify(key)} is page one, not a failed statement`, async () => {
      const after = encodeCursor({ key, id: "00000000-0000-4000-8000-000000000000" });
      const page = await queuePage(t.db, asAdmin, parseQueueParams({ status: "all", sort, after }));
      expect(page.rows.length).toBeGreaterThan(0);
    });
  }

  it("DateStyle other than ISO: the queue's own requested-at cursor still pages on", async () => {
    // A server whose DateStyle writes another format: a timestamp cursor is written in ISO 8601 UTC
    // whatever the session's settings (keyText), so the next page is still the next.
    const conn = createDb(t.url, { max: 1, settings: { DateStyle: "SQL, DMY" } });
    try {
      const first = await queuePage(conn.db, asAdmin, parseQueueParams({ status: "all", sort: "createdAt", size: "10" }));
      const next = first.cursors.next ?? undefined;
      expect(next).toBeTruthy();
      const second = await queuePage(conn.db, asAdmin, parseQueueParams({ status: "all", sort: "createdAt", size: "10", after: next }));
      expect(second.rows.map((r) => r.id)).not.toEqual(first.rows.map((r) => r.id));
    } finally {
      await conn.sql.end({ timeout: 5 });
    }
  });
});

describe("access_requests_app_owner_fk against the ways a request is made", () => {
  it("on a consumer's behalf, another consumer's app is refused as a domain error, not a foreign key violation", async () => {
    const theirs = made[0];
    if (!theirs) throw new Error("no request");
    const failure = await createRequestOnBehalf(t.db, asAdmin, {
      consumerEmail: zoe.email,
      productIds: [other.id],
      planId: standard.id,
      fields: {},
      appId: theirs.appId, // Ann's
      reason: "On behalf",
      baseUrl: "http://x",
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: "not_found" });
  });

  it("the cart refuses another person's app id as a domain error", async () => {
    const theirs = made[0];
    if (!theirs) throw new Error("no request");
    const failure = await submit(bob.id, [other.id], { appId: theirs.appId }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: "not_found" });
  });

  it("holds for every request made above (no request for an app its requester does not own)", async () => {
    const [row] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from access_requests r join apps a on a.id = r.app_id where a.owner_id <> r.requester_id`,
    );
    expect(row?.n).toBe(0);
    const all = await queryQueue(t.db, asAdmin, parseQueueParams({ status: "all", size: "100" }));
    expect(all.rows.length).toBe(made.length);
  });
});
