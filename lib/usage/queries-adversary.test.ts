import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, apiKeys, keyUsageDaily, products } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { productsOfAppUsage, recentCallsOfRequests, topAppsOfProduct, usageOfPortal, usageOfProduct } from "./queries";

/**
 * Second adversarial review (issue 16): usage rows name a product by the slug the gateway sent, but a
 * slug is not an identity. Slugs can be renamed and then taken by another owner's product, and any key
 * can name any slug at verify. An owner must see only calls of keys that hold (or held) access to
 * their product, never another owner's traffic nor the names and emails of strangers' apps.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const NOW = new Date("2031-05-20T12:00:00Z");
const TODAY = "2031-05-20";
const tag = () => randomBytes(3).toString("hex");
const ownerA = userActor(await f.user("owner"));
const ownerB = userActor(await f.user("owner"));

async function product(ownerId: string, slug: string) {
  const [row] = await t.db.insert(products).values({ slug, name: `P ${slug}`, ownerId, status: "published" }).returning();
  if (!row) throw new Error("product insert");
  return row;
}
async function keyFor(productId: string, appName: string) {
  const consumer = await f.user("consumer");
  const app = await f.app(consumer.id, appName);
  const [r] = await t.db
    .insert(accessRequests)
    .values({ requesterId: consumer.id, appId: app.id, planId: f.plan("Standard").id, reason: "x", status: "available", plan: { name: "Standard", autoApprove: false, approvalsRequired: 1, keyLifetimeDays: null, claimLinkLifetimeHours: 72, rateLimitPerMinute: 600, quotaPerMonth: null, reviewRequired: false, requestFields: [] } })
    .returning();
  if (!r) throw new Error("request");
  await t.db.insert(accessRequestProducts).values({ requestId: r.id, productId });
  const [k] = await t.db.insert(apiKeys).values({ keyHash: `hash-${tag()}${tag()}`, start: `ptk_${tag()}`, appId: app.id, requestId: r.id }).returning();
  if (!k) throw new Error("key");
  return { key: k, consumer };
}

describe("usage by product: a slug is not an identity", () => {
  it("an owner whose new product takes a renamed product's old slug sees none of its calls nor its apps", async () => {
    const slug = `pay-${tag()}`;
    const a = await product(ownerA.id, slug);
    const { key } = await keyFor(a.id, "A's customer app");
    await t.db.insert(keyUsageDaily).values({ keyId: key.id, day: TODAY, outcome: "allowed", count: 500, product: slug });
    // A renames the product; B takes the freed slug.
    await t.db.update(products).set({ slug: `${slug}-v2` }).where(eq(products.id, a.id));
    const b = await product(ownerB.id, slug);
    expect((await usageOfProduct(t.db, ownerB, { productId: b.id, now: NOW }))?.total).toBe(0);
    expect(await topAppsOfProduct(t.db, ownerB, { productId: b.id, now: NOW })).toEqual([]);
    expect((await usageOfPortal(t.db, ownerB, { now: NOW }))?.total).toBe(0);
  });

  it("a key without access that names another owner's product does not put its app and consumer's email on that owner's page", async () => {
    const a = await product(ownerA.id, `alpha-${tag()}`);
    const b = await product(ownerB.id, `beta-${tag()}`);
    const { key, consumer } = await keyFor(a.id, "Secret project");
    await t.db.insert(keyUsageDaily).values({ keyId: key.id, day: TODAY, outcome: "unknown_product", count: 3, product: b.slug });
    const top = await topAppsOfProduct(t.db, ownerB, { productId: b.id, now: NOW });
    expect(top?.map((x) => x.ownerEmail)).not.toContain(consumer.email);
    expect(top).toEqual([]);
  });
});

describe("usage by app: the product filter", () => {
  it("a slug the consumer's key named but never had access to shows as the slug, not the name of an unpublished product", async () => {
    const hidden = await t.db.insert(products).values({ slug: `secret-${tag()}`, name: "Project Nightingale (unannounced)", ownerId: ownerB.id, status: "draft" }).returning();
    const h = hidden[0];
    if (!h) throw new Error("product");
    const mine = await product(ownerA.id, `mine-${tag()}`);
    const { key, consumer } = await keyFor(mine.id, "Guessing app");
    await t.db.insert(keyUsageDaily).values({ keyId: key.id, day: TODAY, outcome: "unknown_product", count: 1, product: h.slug });
    const filter = await productsOfAppUsage(t.db, userActor(consumer), { appId: key.appId, now: NOW });
    expect(filter.map((p) => p.name)).not.toContain(h.name);
    expect(filter).toContainEqual({ slug: h.slug, name: h.slug });
    expect(filter).toContainEqual({ slug: mine.slug, name: mine.name });
  });
});

describe("calls today before a revoke: the co-owner of a mixed request", () => {
  it("an owner revoking their products of a mixed request sees the calls to their products, not the other owner's", async () => {
    const a = await product(ownerA.id, `alpha-${tag()}`);
    const b = await product(ownerB.id, `beta-${tag()}`);
    const { key, consumer } = await keyFor(a.id, "Mixed app");
    await t.db.insert(accessRequestProducts).values({ requestId: key.requestId, productId: b.id });
    await t.db.insert(keyUsageDaily).values([
      { keyId: key.id, day: TODAY, outcome: "allowed", count: 300, product: a.slug },
      { keyId: key.id, day: TODAY, outcome: "allowed", count: 20, product: b.slug },
      // Named no product, or one outside the request: the key's use, counted for every approver.
      { keyId: key.id, day: TODAY, outcome: "allowed", count: 2, product: "" },
      { keyId: key.id, day: TODAY, outcome: "unknown_product", count: 1, product: "not-in-this-request" },
    ]);
    const admin = userActor(await f.user("admin"));
    const today = async (actor: ReturnType<typeof userActor>) => (await recentCallsOfRequests(t.db, actor, [key.requestId], NOW)).get(key.requestId)?.today;
    expect(await today(ownerB)).toBe(20 + 3);
    expect(await today(ownerA)).toBe(300 + 3);
    expect(await today(userActor(consumer))).toBe(323);
    expect(await today(admin)).toBe(323);
  });
});
