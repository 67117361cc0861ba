import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, products } from "@/db/schema";
import type { UserActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { type SearchHit, searchEverything, searchQuerySchema } from "./search-everything";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const tag = randomBytes(3).toString("hex");
const actorOf = (u: { id: string; role: UserActor["role"] }, disabled = false): UserActor => ({ kind: "user", id: u.id, role: u.role, disabled });

const owner = await f.owner();
const otherOwner = await f.user("owner");
// Another owner's published product (the demo Weather API, handed over and renamed).
const [otherProduct] = await t.db
  .update(products)
  .set({ name: `Zephyr ${tag} API`, ownerId: otherOwner.id })
  .where(eq(products.id, f.product("weather").id))
  .returning();
if (!otherProduct) throw new Error("product insert");
await t.db.insert(products).values({ slug: `draft-${tag}`, name: `Zephyr ${tag} draft`, ownerId: otherOwner.id, status: "draft" });
const admin = await f.user("admin");
const alice = await f.user();
const bob = await f.user();

async function submit(userId: string, productId: string, appName: string) {
  await addToCart(t.db, userId, { productId, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId, baseUrl: "http://x" }, { newAppName: appName, reason: "Testing search" }, {});
}
// Alice asks the demo owner's Payments API; Bob asks the other owner's product. Same word in both app names.
const aliceRequest = await submit(alice.id, f.product("payments").id, `Zephyr ${tag} shop`);
const bobRequest = await submit(bob.id, otherProduct.id, `Zephyr ${tag} kiosk`);
const keyStart = (who: string) => `ptk_${who}${tag}`;
await t.db.insert(apiKeys).values([
  { keyHash: randomBytes(32).toString("hex"), start: keyStart("Al"), appId: aliceRequest.appId, requestId: aliceRequest.id },
  { keyHash: randomBytes(32).toString("hex"), start: keyStart("Bo"), appId: bobRequest.appId, requestId: bobRequest.id },
]);

const search = (who: UserActor | null, q: string) => searchEverything(t.db, who, q);
const groupsOf = (hits: SearchHit[]) => [...new Set(hits.map((h) => h.group))].sort();
const idsIn = (hits: SearchHit[], group: SearchHit["group"]) => hits.filter((h) => h.group === group).map((h) => h.id).sort();

describe("⌘K search: each person finds only what they may open", () => {
  it("signed out: published products only (never a draft, an app, a request, a key or a person)", async () => {
    const hits = await search(null, `Zephyr ${tag}`);
    expect(groupsOf(hits)).toEqual(["products"]);
    expect(hits.map((h) => h.title)).toEqual([`Zephyr ${tag} API`]);
    expect(await search(null, keyStart("Al"))).toEqual([]);
    expect(await search(null, alice.email)).toEqual([]);
  });

  it("a consumer: products, their own apps and requests, not another's; no queue, keys or people", async () => {
    const hits = await search(actorOf(alice), `Zephyr ${tag}`);
    expect(groupsOf(hits)).toEqual(["apps", "my-requests", "products"]);
    expect(idsIn(hits, "apps")).toEqual([aliceRequest.appId]);
    expect(idsIn(hits, "my-requests")).toEqual([aliceRequest.id]);
    expect(hits.find((h) => h.group === "my-requests")).toMatchObject({ href: `/requests/${aliceRequest.id}`, detail: "Pending" });
    expect(await search(actorOf(alice), keyStart("Al"))).toEqual([]);
    expect(await search(actorOf(alice), bob.email)).toEqual([]);
  });

  it("an owner: requests and keys of their own products only — another owner's request is a near miss they never see", async () => {
    const hits = await search(actorOf(owner), `Zephyr ${tag}`);
    expect(idsIn(hits, "requests")).toEqual([aliceRequest.id]);
    expect(idsIn(hits, "users")).toEqual([]);
    expect(idsIn(await search(actorOf(owner), bob.email), "requests")).toEqual([]);
    expect(idsIn(await search(actorOf(owner), bobRequest.id), "requests")).toEqual([]);
    expect(idsIn(await search(actorOf(owner), aliceRequest.id), "requests")).toEqual([aliceRequest.id]);
    expect((await search(actorOf(owner), keyStart("Al"))).filter((h) => h.group === "keys").map((h) => h.title)).toEqual([`${keyStart("Al")}…`]);
    expect((await search(actorOf(owner), keyStart("Bo"))).filter((h) => h.group === "keys")).toEqual([]);
    // The other owner sees the mirror image.
    expect(idsIn(await search(actorOf(otherOwner), `Zephyr ${tag}`), "requests")).toEqual([bobRequest.id]);
  });

  it("an admin: every request, every key by its start, and people", async () => {
    const hits = await search(actorOf(admin), `Zephyr ${tag}`);
    expect(idsIn(hits, "requests")).toEqual([aliceRequest.id, bobRequest.id].sort());
    expect((await search(actorOf(admin), keyStart("Bo"))).filter((h) => h.group === "keys")).toHaveLength(1);
    expect(idsIn(await search(actorOf(admin), bob.email), "users")).toEqual([bob.id]);
  });

  it("a disabled user is a visitor: products only", async () => {
    expect(groupsOf(await search(actorOf(admin, true), `Zephyr ${tag}`))).toEqual(["products"]);
    expect(await search(actorOf(alice, true), bob.email)).toEqual([]);
  });

  it("matches the text literally (LIKE wildcards mean nothing), limits each group, and validates q", async () => {
    expect(await search(actorOf(admin), "%")).toEqual([]);
    expect(await search(actorOf(admin), "ptk__")).toEqual([]);
    for (let i = 0; i < 7; i++) await f.app(alice.id, `Zephyr ${tag} extra ${i}`);
    expect((await search(actorOf(alice), `Zephyr ${tag}`)).filter((h) => h.group === "apps")).toHaveLength(5);
    expect(searchQuerySchema.safeParse({ q: "  " }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: "x".repeat(101) }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: " pay " }).data).toEqual({ q: "pay" });
  });

  it("uses the search indexes (no sequential scan of users, apps or keys)", async () => {
    await t.db.transaction(async (tx) => {
      // A test database is small: tell the planner a scan is not an option, so it shows whether an index can answer.
      await tx.execute("set local enable_seqscan = off");
      const plan = async (text: string) => JSON.stringify(await tx.execute(`explain ${text}`));
      expect(await plan(`select id from users where email ilike '%${tag}%'`)).toContain("users_email_trgm_idx");
      expect(await plan(`select id from apps where name ilike '%${tag}%'`)).toContain("apps_name_trgm_idx");
      expect(await plan(`select id from api_keys where start like 'ptk_Al${tag}%'`)).toContain("api_keys_start_idx");
    });
  });
});
