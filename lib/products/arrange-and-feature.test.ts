import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, productPlans, products } from "@/db/schema";
import { getPublishedProduct, listFeaturedProducts } from "@/lib/catalogue/queries";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { arrangeProductPlans } from "./arrange-product-plans";
import { changeProductStatus } from "./change-product-status";
import { createProduct } from "./create-product";
import { setProductFeatured } from "./set-product-featured";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);

type Role = "consumer" | "owner" | "admin";
const asActor = (u: { id: string; role: Role }, disabled = false) => ({ kind: "user" as const, id: u.id, role: u.role, disabled });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DomainError);
      return e as DomainError;
    },
  );
const planIds = [f.plan("Free").id, f.plan("Standard").id, f.plan("Enterprise").id];

/** A published product of a fresh owner offering Free, Standard, Enterprise (in that order). */
async function ownedProduct() {
  const owner = await f.user("owner");
  const product = await createProduct(t.db, asActor(owner), {
    name: "Arranged",
    slug: `arranged-${randomUUID().slice(0, 8)}`,
    summary: "s",
    description: "",
    tags: "",
    authMethod: "api_key",
    planIds,
  });
  await changeProductStatus(t.db, asActor(owner), product.id, "publish");
  return { owner, product };
}
const state = async (id: string) => {
  const [p] = await t.db.select({ featured: products.featured }).from(products).where(eq(products.id, id));
  const offers = await t.db.select().from(productPlans).where(eq(productPlans.productId, id)).orderBy(asc(productPlans.position));
  const audit = await t.db.$count(auditEvents, and(eq(auditEvents.subjectId, id), eq(auditEvents.action, "product.updated")));
  return { featured: p?.featured, order: offers.map((o) => o.planId), recommended: offers.filter((o) => o.recommended).map((o) => o.planId), audit };
};

describe("arrangeProductPlans", () => {
  it("orders the product page's plans as the owner orders them, with one Recommended, audited", async () => {
    const { owner, product } = await ownedProduct();
    const order = [planIds[2], planIds[0], planIds[1]] as string[];
    const result = await arrangeProductPlans(t.db, asActor(owner), { id: product.id, planIds: order, recommendedPlanId: planIds[0] });
    expect(result.changed).toBe(true);
    expect(await state(product.id)).toMatchObject({ order, recommended: [planIds[0]], audit: 1 });
    const page = await getPublishedProduct(t.db, product.slug);
    expect(page?.plans.map((p) => [p.id, p.recommended])).toEqual([
      [planIds[2], false],
      [planIds[0], true],
      [planIds[1], false],
    ]);
    const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, product.id), eq(auditEvents.action, "product.updated")));
    expect(event?.data).toMatchObject({ changed: ["planOrder", "recommendedPlan"], to: { order, recommended: planIds[0] } });

    // The same arrangement again writes nothing; moving the mark moves it (still one).
    expect((await arrangeProductPlans(t.db, asActor(owner), { id: product.id, planIds: order, recommendedPlanId: planIds[0] })).changed).toBe(false);
    await arrangeProductPlans(t.db, asActor(owner), { id: product.id, planIds: order, recommendedPlanId: planIds[1] });
    expect(await state(product.id)).toMatchObject({ recommended: [planIds[1]], audit: 2 });
    await arrangeProductPlans(t.db, asActor(owner), { id: product.id, planIds: order, recommendedPlanId: "" });
    expect(await state(product.id)).toMatchObject({ recommended: [], audit: 3 });
  });

  it("refuses a list that is not exactly the product's plans, and an unknown recommended plan, writing nothing", async () => {
    const { owner, product } = await ownedProduct();
    const before = await state(product.id);
    const cases = [
      { planIds: planIds.slice(0, 2), recommendedPlanId: null },
      { planIds: [...planIds, planIds[0]], recommendedPlanId: null },
      { planIds: [planIds[0], planIds[1], randomUUID()], recommendedPlanId: null },
      { planIds, recommendedPlanId: randomUUID() },
      { planIds: ["not-a-uuid"], recommendedPlanId: null },
    ];
    for (const c of cases) await refusal(arrangeProductPlans(t.db, asActor(owner), { id: product.id, ...c }));
    expect(await state(product.id)).toEqual(before);
  });

  it("authz: the product's owner and admins may; another owner, a consumer, a disabled owner may not", async () => {
    const { owner, product } = await ownedProduct();
    const admin = await f.user("admin");
    const input = (rec: string) => ({ id: product.id, planIds: [...planIds].reverse(), recommendedPlanId: rec });
    const matrix: [string, ReturnType<typeof asActor>, "ok" | "not_found" | "forbidden"][] = [
      ["another owner", asActor(await f.user("owner")), "not_found"],
      ["the demo owner (co-owner of other products)", asActor(await f.owner()), "not_found"],
      ["a consumer", asActor(await f.user("consumer")), "forbidden"],
      ["the owner, disabled", asActor(owner, true), "forbidden"],
      ["the owner", asActor(owner), "ok"],
      ["an admin", asActor(admin), "ok"],
    ];
    for (const [who, actor, expected] of matrix) {
      const before = await state(product.id);
      const rec = who === "an admin" ? (planIds[1] as string) : (planIds[0] as string);
      if (expected === "ok") {
        expect((await arrangeProductPlans(t.db, actor, input(rec))).changed, who).toBe(true);
        expect((await state(product.id)).recommended, who).toEqual([rec]);
      } else {
        const e = await refusal(arrangeProductPlans(t.db, actor, input(rec)));
        expect(e.code, who).toBe(expected);
        expect(await state(product.id), who).toEqual(before);
      }
    }
  });
});

describe("setProductFeatured", () => {
  it("puts a published product among the featured ones and takes it out again, audited once per change", async () => {
    const { owner, product } = await ownedProduct();
    await setProductFeatured(t.db, asActor(owner), { id: product.id, featured: "on" });
    expect(await state(product.id)).toMatchObject({ featured: true, audit: 1 });
    expect((await listFeaturedProducts(t.db)).map((p) => p.slug)).toContain(product.slug);
    expect((await setProductFeatured(t.db, asActor(owner), { id: product.id, featured: true })).changed).toBe(false);
    await setProductFeatured(t.db, asActor(owner), { id: product.id });
    expect(await state(product.id)).toMatchObject({ featured: false, audit: 2 });
    expect((await listFeaturedProducts(t.db)).map((p) => p.slug)).not.toContain(product.slug);
  });

  it("a featured draft stays off the home page", async () => {
    const { owner, product } = await ownedProduct();
    await setProductFeatured(t.db, asActor(owner), { id: product.id, featured: true });
    await changeProductStatus(t.db, asActor(owner), product.id, "unpublish");
    expect((await listFeaturedProducts(t.db)).map((p) => p.slug)).not.toContain(product.slug);
  });

  it("authz: the product's owner and admins may; another owner, a consumer, a disabled owner may not", async () => {
    const { owner, product } = await ownedProduct();
    const matrix: [string, ReturnType<typeof asActor>, "ok" | "not_found" | "forbidden"][] = [
      ["another owner", asActor(await f.user("owner")), "not_found"],
      ["the demo owner", asActor(await f.owner()), "not_found"],
      ["a consumer", asActor(await f.user("consumer")), "forbidden"],
      ["the owner, disabled", asActor(owner, true), "forbidden"],
      ["the owner", asActor(owner), "ok"],
      ["an admin", asActor(await f.user("admin")), "ok"],
    ];
    let featured = false;
    for (const [who, actor, expected] of matrix) {
      const before = await state(product.id);
      if (expected === "ok") {
        featured = !featured;
        await setProductFeatured(t.db, actor, { id: product.id, featured });
        expect((await state(product.id)).featured, who).toBe(featured);
      } else {
        const e = await refusal(setProductFeatured(t.db, actor, { id: product.id, featured: !featured }));
        expect(e.code, who).toBe(expected);
        expect(await state(product.id), who).toEqual(before);
      }
    }
  });
});

describe("demo data", () => {
  it("ships featured products, documents that pass the OpenAPI check, and an arranged plan order with one Recommended", async () => {
    const { checkOpenApi } = await import("./openapi");
    const featured = await listFeaturedProducts(t.db);
    expect(featured.map((p) => p.slug)).toEqual(expect.arrayContaining(["payments", "weather"]));
    for (const slug of ["payments", "weather", "identity"]) {
      const [row] = await t.db.select({ openapi: products.openapi }).from(products).where(eq(products.slug, slug));
      expect(row?.openapi, slug).toBeTruthy();
      expect(await checkOpenApi(row?.openapi ?? ""), slug).toMatchObject({ ok: true });
    }
    const payments = await getPublishedProduct(t.db, "payments");
    expect(payments?.plans.map((p) => [p.name, p.recommended])).toEqual([
      ["Free", false],
      ["Standard", true],
      ["Enterprise", false],
    ]);
  });
});

describe("a document with several problems", () => {
  it("lists every problem with where it is, not only the first, and writes nothing", async () => {
    const owner = await f.user("owner");
    const before = await t.db.$count(products);
    const e = await refusal(
      createProduct(t.db, asActor(owner), {
        name: "Two problems",
        slug: `two-${randomUUID().slice(0, 8)}`,
        authMethod: "api_key",
        planIds: [],
        openapi: "openapi: 3.0.3\ninfo:\n  title: No version\npaths:\n  /b:\n    get:\n      responses: {}\n",
      }),
    );
    expect(e.fieldErrors).toMatchObject({
      openapi: expect.stringMatching(/not valid.*version.*and 1 more problem/),
      "openapi.1": expect.stringMatching(/^info: .*version/),
      "openapi.2": expect.stringMatching(/^paths › \/b › get › responses: /),
    });
    expect(await t.db.$count(products)).toBe(before);
  });
});
