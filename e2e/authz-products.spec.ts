import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, products, users } from "../db/schema";
import { createPlan } from "../lib/plans/create-plan";
import { createProduct } from "../lib/products/create-product";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function user(role: "consumer" | "owner" | "admin") {
  const [u] = await conn.db
    .insert(users)
    .values({ email: `${role}-${randomBytes(4).toString("hex")}@example.com`, name: `Products matrix ${role}`, role })
    .returning();
  if (!u) throw new Error("user");
  return u;
}

const planForm = (name: string) => ({
  name,
  description: "",
  autoApprove: "false",
  approvalsRequired: "1",
  keyLifetime: "180",
  customKeyLifetimeDays: "",
  claimLinkLifetimeHours: "72",
  rateLimitPerMinute: "",
  quotaPerMonth: "",
  reviewRequired: "false",
  reviewCommentRequired: "false",
  requestFields: "[]",
});

async function snapshot(productId: string, planId: string) {
  const [counts] = await conn.sql`select
    (select count(*)::int from products) as products,
    (select count(*)::int from product_plans) as offers,
    (select count(*)::int from plans) as plans,
    (select count(*)::int from audit_events) as audit`;
  const [product] = await conn.db.select().from(products).where(eq(products.id, productId));
  const [plan] = await conn.db.select().from(plans).where(eq(plans.id, planId));
  return { counts, product, plan };
}

test("product and plan actions refuse anonymous, consumers and owners of other products and plans, writing nothing", async ({ request }) => {
  const owner = await user("owner");
  const tag = randomBytes(3).toString("hex");
  const targetPlan = await createPlan(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, planForm(`Matrix plan ${tag}`));
  const target = await createProduct(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, {
    name: "Matrix target",
    slug: `matrix-target-${tag}`,
    authMethod: "api_key",
    planIds: [targetPlan.id],
  });

  const consumer = await user("consumer");
  const otherOwner = await user("owner");
  const identities = {
    anonymous: undefined,
    consumer: await sessionCookie(conn, consumer.id),
    "owner of another product": await sessionCookie(conn, otherOwner.id),
  };

  const productActions = { page: "/admin/products", file: "app/admin/products/actions.ts" };
  const planActions = { page: "/admin/plans", file: "app/admin/plans/actions.ts" };
  const productFields = { name: "Stolen", slug: `stolen-${tag}`, summary: "", description: "", tags: "", authMethod: "oauth2" };
  const cases: { page: string; file: string; name: string; fields: Record<string, string> }[] = [
    { ...productActions, name: "updateProductAction", fields: { ...productFields, id: target.id, slug: target.slug } },
    ...(["publish", "unpublish", "archive", "restore"] as const).map((change) => ({
      ...productActions,
      name: "changeProductStatusAction",
      fields: { id: target.id, change },
    })),
    // Creating is open to any owner, but not with another owner's plan.
    { ...productActions, name: "createProductAction", fields: { ...productFields, planIds: targetPlan.id } },
    { ...planActions, name: "updatePlanAction", fields: { ...planForm(`Stolen ${tag}`), id: targetPlan.id } },
    { ...planActions, name: "createPlanAction", fields: planForm(`Sneaky ${tag}`) },
  ];

  const before = await snapshot(target.id, targetPlan.id);
  for (const c of cases) {
    for (const [who, cookie] of Object.entries(identities)) {
      // Any owner may create a plan of their own; that is not a refusal to test.
      if (c.name === "createPlanAction" && who === "owner of another product") continue;
      const res = await callAction(request, { page: c.page, file: c.file, name: c.name, fields: c.fields, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} ${c.fields.change ?? ""} as ${who}`).toMatch(
        /Your session has ended|Your role does not allow|was not found|not yours to offer/,
      );
      expect(res.text, `${c.name} as ${who}`).not.toMatch(/"ok":true/);
    }
  }
  expect(await snapshot(target.id, targetPlan.id)).toEqual(before);

  // Controls: the same calls by the real owner go through, so the refusals above are about who asked.
  const ownerCookie = await sessionCookie(conn, owner.id);
  const publish = await callAction(request, { ...productActions, name: "changeProductStatusAction", fields: { id: target.id, change: "publish" }, cookie: ownerCookie });
  expect(publish.text).toContain('"ok":true');
  expect(publish.text).toContain("is in the catalogue");
  const renamed = await callAction(request, {
    ...planActions,
    name: "updatePlanAction",
    fields: { ...planForm(`Matrix plan ${tag} v2`), id: targetPlan.id },
    cookie: ownerCookie,
  });
  expect(renamed.text).toContain('"ok":true');
  const after = await snapshot(target.id, targetPlan.id);
  expect(after.product?.status).toBe("published");
  expect(after.plan?.name).toBe(`Matrix plan ${tag} v2`);
  expect(after.counts).toMatchObject({ products: before.counts?.products, plans: before.counts?.plans, audit: Number(before.counts?.audit) + 2 });

  // Leave the catalogue as other specs expect it: the product out again, the cached page rebuilt.
  const unpublish = await callAction(request, { ...productActions, name: "changeProductStatusAction", fields: { id: target.id, change: "unpublish" }, cookie: ownerCookie });
  expect(unpublish.text).toContain('"ok":true');
  expect((await request.get("/apis")).status()).toBe(200);
});

test("product and plan pages: anonymous goes to sign-in, consumers get 403, other owners see nothing of someone else's", async ({ page, context, baseURL }) => {
  const pages = ["/admin/products", "/admin/products/new", "/admin/plans", "/admin/plans/new"];
  for (const path of pages) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/signin\?callbackUrl=/);
  }
  const host = new URL(baseURL ?? "http://localhost:3100").hostname;
  const asCookie = (c: string) => {
    const [name, value] = c.split("=") as [string, string];
    return { name, value, domain: host, path: "/" };
  };
  const consumer = await user("consumer");
  await context.addCookies([asCookie(await sessionCookie(conn, consumer.id))]);
  for (const path of pages) expect((await page.goto(path))?.status(), path).toBe(403);

  await context.clearCookies();
  const stranger = await user("owner");
  await context.addCookies([asCookie(await sessionCookie(conn, stranger.id))]);
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  if (!payments || !free) throw new Error("seed");
  expect((await page.goto(`/admin/products/${payments.id}`))?.status()).toBe(404);
  expect((await page.goto(`/admin/plans/${free.id}`))?.status()).toBe(404);
  await page.goto("/admin/products");
  await expect(page.getByText("No products yet")).toBeVisible();
  await page.goto("/admin/plans");
  // Shared plans are listed for offering, but only admins can open them.
  await expect(page.getByTestId("plan-row").filter({ hasText: "Free" })).toContainText("managed by admins");
  await expect(page.getByTestId("plan-row").filter({ hasText: "Free" }).getByRole("link")).toHaveCount(0);
});
