import { asc, desc, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, reviews } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { adminKeys } from "@/lib/keys/queries";
import { submitRequest } from "@/lib/requests/submit-request";
import { listReviews } from "@/lib/reviews/queries";
import { listUsers } from "@/lib/users/user-admin";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { decodeKeyset, encodeKeyset, type KeysetPosition, pageLinks } from "./keyset";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const admin = userActor(await f.user("admin"));
const person = await f.user();
await addToCart(t.db, person.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
const request = await submitRequest(t.db, { userId: person.id, baseUrl: "http://portal.test" }, { newAppName: "Keyset App", reason: "Paging" }, {});

// Threes sharing one created_at (the id decides among them), a microsecond apart: a cursor that
// rounded to milliseconds, or ordered by the time alone, would skip or repeat rows.
const microsApart = (i: number) => sql`'2026-01-01T00:00:00Z'::timestamptz + ${Math.floor(i / 3)} * interval '1 microsecond'`;
await t.db.insert(apiKeys).values(
  Array.from({ length: 130 }, (_, i) => ({ keyHash: `keyset-${i}-${person.id}`, start: `ptk_ks${i}`, appId: request.appId, requestId: request.id, createdAt: microsApart(i) })),
);
await t.db.insert(reviews).values(Array.from({ length: 110 }, (_, i) => ({ requestId: request.id, kind: "approved" as const, createdAt: microsApart(i) })));

type Page = { rows: { id: string }[]; nextCursor?: string; previousCursor?: string };

/** Every page from the first by nextCursor, then back from the last by previousCursor. */
async function walk(read: (position: KeysetPosition) => Promise<Page>) {
  const forward: string[][] = [];
  let page = await read({});
  expect(page.previousCursor, "the first page has none before it").toBeUndefined();
  forward.push(page.rows.map((r) => r.id));
  while (page.nextCursor && forward.length < 50) {
    page = await read({ after: page.nextCursor });
    forward.push(page.rows.map((r) => r.id));
  }
  const backward: string[][] = [forward[forward.length - 1] ?? []];
  while (page.previousCursor && backward.length < 50) {
    page = await read({ before: page.previousCursor });
    backward.unshift(page.rows.map((r) => r.id));
  }
  return { forward, backward };
}

describe("keyset paging of the admin tables (lib/paging/keyset.ts)", () => {
  it("/admin/keys: every key once, newest first, forward and back, ties broken by id", async () => {
    const all = (await t.db.select({ id: apiKeys.id }).from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))).map((r) => r.id);
    expect(all.length).toBeGreaterThan(100);
    const { forward, backward } = await walk((p) => adminKeys(t.db, admin, p));
    expect(forward.flat()).toEqual(all);
    expect(forward.length).toBe(Math.ceil(all.length / 50));
    expect(backward).toEqual(forward);
  });

  it("/admin/keys: a key made while someone pages neither repeats a row on the next page nor skips one", async () => {
    const first = await adminKeys(t.db, admin, {});
    const expectedNext = await adminKeys(t.db, admin, { after: first.nextCursor });
    await t.db.insert(apiKeys).values({ keyHash: `keyset-new-${person.id}`, start: "ptk_ksnew", appId: request.appId, requestId: request.id });
    const next = await adminKeys(t.db, admin, { after: first.nextCursor });
    expect(next.rows.map((r) => r.id)).toEqual(expectedNext.rows.map((r) => r.id));
    expect(next.rows.map((r) => r.id)).not.toContain(first.rows.at(-1)?.id);
  });

  it("/admin/reviews: open ones oldest first, the others newest first, each once, forward and back", async () => {
    const open = await t.db
      .select({ id: reviews.id })
      .from(reviews)
      .where(isNull(reviews.reviewedAt))
      .orderBy(asc(reviews.createdAt), asc(reviews.id));
    const { forward, backward } = await walk((p) => listReviews(t.db, admin, { view: "open", ...p }));
    expect(forward.flat()).toEqual(open.map((r) => r.id));
    expect(backward).toEqual(forward);

    const all = await t.db.select({ id: reviews.id }).from(reviews).orderBy(desc(reviews.createdAt), desc(reviews.id));
    const allWalk = await walk((p) => listReviews(t.db, admin, { view: "all", ...p }));
    expect(allWalk.forward.flat()).toEqual(all.map((r) => r.id));
    expect(allWalk.backward).toEqual(allWalk.forward);
  });

  it("/admin/users: the same walk over people", async () => {
    await Promise.all(Array.from({ length: 60 }, () => f.user()));
    const { forward, backward } = await walk((p) => listUsers(t.db, p));
    const people = await t.db.execute<{ id: string }>(sql`select id from users where kind = 'person' order by created_at desc, id desc`);
    expect(forward.flat()).toEqual(people.map((r) => r.id));
    expect(forward.length).toBeGreaterThan(1);
    expect(backward).toEqual(forward);
  });

  it("a cursor that is not one (garbage, another shape, a time or an id Postgres refuses) is the first page, not an error", async () => {
    const firstPage = (await adminKeys(t.db, admin, {})).rows.map((r) => r.id);
    const made = (at: string, id = "x") => Buffer.from(`${at}|${id}`).toString("base64url");
    // found by review (2026-12-07): each of the last five was a 500 from Postgres on all three pages
    const bad = ["%%%", "x".repeat(200), encodeKeyset("yesterday", "x"), made("2026-01-01 00:00:00+00|a", "b"),
      made("2026-02-30 00:00:00+00"), made("2026-13-01 00:00:00+00"), made("0000-01-01 00:00:00+00"), made("2026-01-01 00:00:00+99"), made("2026-01-01 00:00:00+00", "a\u0000b")];
    for (const cursor of bad) {
      expect(decodeKeyset(cursor), cursor).toBeNull();
      expect((await adminKeys(t.db, admin, { after: cursor })).rows.map((r) => r.id), cursor).toEqual(firstPage);
      expect((await listReviews(t.db, admin, { view: "open", before: cursor })).previousCursor, cursor).toBeUndefined();
      expect((await listUsers(t.db, { after: cursor })).startOver, cursor).toBe(false);
    }
    expect(decodeKeyset(made("2024-02-29 23:59:59.999999+14", "x"))).toEqual({ at: "2024-02-29 23:59:59.999999+14", id: "x" });
  });

  it("a page left empty since its link was made leads back to the first page (not a dead end)", async () => {
    const [oldest] = await t.db.select({ id: apiKeys.id, at: sql<string>`${apiKeys.createdAt}::text` }).from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).limit(1);
    const beyond = await adminKeys(t.db, admin, { after: encodeKeyset(oldest?.at ?? "", oldest?.id ?? "") });
    expect(beyond.rows).toEqual([]);
    expect(beyond).toMatchObject({ startOver: true, nextCursor: undefined, previousCursor: undefined });
    expect((await adminKeys(t.db, admin, {})).startOver).toBe(false);
    // The page's links: Previous to the first page (no position), Next nowhere.
    expect(pageLinks(beyond)).toEqual({ previous: { after: undefined, before: undefined }, next: null });
  });

  it("a page's links replace the position they came from", () => {
    expect(pageLinks({ previousCursor: "p", nextCursor: "n", startOver: false })).toEqual({ previous: { after: undefined, before: "p" }, next: { after: "n", before: undefined } });
    expect(pageLinks({ startOver: false })).toEqual({ previous: null, next: null });
  });
});
