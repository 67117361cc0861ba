import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { products } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { isolatedDatabase } from "@/tests/database";
import { getPublishedProduct, listCatalogueTags, listPublishedProducts } from "./queries";

const t = await isolatedDatabase();
await seedDemo(t.db);
const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("catalogue queries", () => {
  it("lists only published products, by name", async () => {
    const rows = await listPublishedProducts(t.db);
    expect(rows.length).toBe(9);
    expect(names(rows)).not.toContain("Ledger API (beta)");
    expect(names(rows)).toEqual([...names(rows)].sort());
  });

  it("searches name, summary and tags, case-insensitively", async () => {
    expect(names(await listPublishedProducts(t.db, { q: "ROUTING" }))).toEqual(["Routing API"]);
    expect(names(await listPublishedProducts(t.db, { q: "refunds" }))).toEqual(["Payments API"]);
    expect(names(await listPublishedProducts(t.db, { q: "messag" }))).toEqual(["Notifications API"]);
  });

  it("treats LIKE wildcards in a search as plain characters", async () => {
    expect(await listPublishedProducts(t.db, { q: "%" })).toEqual([]);
    expect(await listPublishedProducts(t.db, { q: "_" })).toEqual([]);
  });

  it("filters by tag and combines with search", async () => {
    expect(names(await listPublishedProducts(t.db, { tag: "identity" }))).toEqual(["Accounts API", "Identity API"]);
    expect(names(await listPublishedProducts(t.db, { tag: "finance", q: "rates" }))).toEqual(["FX Rates API"]);
    expect(await listPublishedProducts(t.db, { tag: "no-such-tag" })).toEqual([]);
  });

  it("lists the tags of published products only", async () => {
    const tags = await listCatalogueTags(t.db);
    expect(tags).toEqual(expect.arrayContaining(["data", "finance", "identity", "maps", "messaging", "payments", "security"]));
  });

  it("returns a product with its plans, and nothing for drafts or unknown slugs", async () => {
    const p = await getPublishedProduct(t.db, "payments");
    expect(p?.plans.map((x) => x.name)).toEqual(["Free", "Standard", "Enterprise"]);
    expect(p?.plans.find((x) => x.name === "Free")?.autoApprove).toBe(true);
    expect(await getPublishedProduct(t.db, "ledger-beta")).toBeNull();
    expect(await getPublishedProduct(t.db, "nope")).toBeNull();
  });

  it("hides a product as soon as it is unpublished", async () => {
    await t.db.update(products).set({ status: "draft" }).where(eq(products.slug, "weather"));
    expect(await getPublishedProduct(t.db, "weather")).toBeNull();
    expect(names(await listPublishedProducts(t.db))).not.toContain("Weather API");
  });
});
