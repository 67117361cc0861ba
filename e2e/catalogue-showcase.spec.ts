import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { asc, eq } from "drizzle-orm";
import { apps, auditEvents, productPlans, products, users } from "../db/schema";
import { changeProductStatus } from "../lib/products/change-product-status";
import { createProduct } from "../lib/products/create-product";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { signInAs, toast } from "./helpers";
import { fillOpenApi, referenceOperation, seriousViolations } from "./helpers-products";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const tag = () => randomBytes(3).toString("hex");
async function person(role: "consumer" | "owner" | "admin") {
  const [u] = await conn.db
    .insert(users)
    .values({ email: `${role}-${tag()}@example.com`, name: `Showcase ${role}`, role, emailVerified: new Date() })
    .returning();
  if (!u) throw new Error("user");
  return u;
}
const actor = (u: { id: string; role: "consumer" | "owner" | "admin" }) => ({ kind: "user" as const, id: u.id, role: u.role, disabled: false });
const demoPlanIds = async () => {
  const rows = await conn.sql<{ id: string; name: string }[]>`select id, name from plans where name in ('Free', 'Standard') order by name`;
  return rows.map((r) => r.id);
};
/** A fresh owner's product offering Free and Standard (in that order); published unless told otherwise. */
async function ownedProduct(options: { publish?: boolean; openapi?: string } = {}) {
  const owner = await person("owner");
  const t = tag();
  const product = await createProduct(conn.db, actor(owner), {
    name: `Showcase ${t}`,
    slug: `showcase-${t}`,
    summary: "A product of one owner.",
    description: "## Overview\n\nShown for a test.",
    tags: "showcase",
    authMethod: "api_key",
    planIds: await demoPlanIds(),
    ...(options.openapi ? { openapi: options.openapi } : {}),
  });
  if (options.publish ?? true) await changeProductStatus(conn.db, actor(owner), product.id, "publish");
  return { owner, product };
}

test("the home page shows a search, the featured products, categories from tags and how access works in three steps", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  const featured = page.getByRole("list", { name: "Featured APIs" }).getByRole("listitem");
  await expect(featured.filter({ hasText: "Payments API" })).toHaveCount(1);
  await expect(featured.filter({ hasText: "Weather API" })).toHaveCount(1);
  // Only what owners chose: an unfeatured product is not on the shelf.
  await expect(featured.filter({ hasText: "Routing API" })).toHaveCount(0);

  const categories = page.getByRole("list", { name: "Categories" });
  await expect(categories.getByRole("link", { name: /finance/i })).toHaveAttribute("href", "/apis?tag=finance");
  await expect(categories.getByRole("link", { name: /maps/i })).toBeVisible();

  const steps = page.getByRole("list", { name: "How access works" }).getByRole("listitem");
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toContainText("Find an API");
  await expect(steps.nth(2)).toContainText("Get your key");
  expect(await seriousViolations(page), "home page").toEqual([]);

  await page.getByRole("searchbox", { name: "Search APIs" }).fill("weather");
  await page.getByRole("searchbox", { name: "Search APIs" }).press("Enter");
  await expect(page).toHaveURL(/\/apis\?q=weather/);
  await expect(page.getByRole("list", { name: "API products" }).getByRole("listitem")).toHaveCount(1);

  await page.goto("/");
  await page.getByRole("list", { name: "Categories" }).getByRole("link", { name: /maps/i }).click();
  await expect(page).toHaveURL(/tag=maps/);
});

test("a product page lists the plans in the owner's order with one Recommended, and its API reference keeps one main and one h1 without a real-looking key", async ({ page }) => {
  await page.goto("/apis/payments");
  // The description's own headings ("## Overview", …) sit under "About this API" in the outline.
  const about = page.getByRole("region", { name: "About this API" });
  await expect(about.getByRole("heading", { level: 2 })).toHaveText(["About this API"]);
  await expect(about.getByRole("heading", { level: 3 })).toHaveText(["Overview", "Getting started", "Limits"]);
  // The overview says more than the summary above it, which a visitor would otherwise read twice.
  const summary = (await page.locator("article > header > p").first().textContent()) ?? "";
  expect(summary.length).toBeGreaterThan(0);
  await expect(about.locator("p").first()).not.toContainText(summary);
  // How calls are authenticated is a fact about the product, not one more tag: no pill, no link.
  const auth = page.getByTestId("auth-method");
  await expect(auth).toHaveText("Authentication: API key");
  // Neither the note nor what holds it is drawn as a pill.
  const looks = await auth.evaluate((el) =>
    [el, el.parentElement].map((e) => (e ? [getComputedStyle(e).borderTopLeftRadius, getComputedStyle(e).backgroundColor] : null)),
  );
  expect(looks).toEqual([
    ["0px", "rgba(0, 0, 0, 0)"],
    ["0px", "rgba(0, 0, 0, 0)"],
  ]);
  expect(await auth.evaluate((el) => el.closest("a"))).toBeNull();
  const plans = page.getByTestId("plan");
  await expect(plans).toHaveCount(3);
  await expect(plans.getByRole("heading", { level: 3 })).toHaveText(["Free", "Standard", "Enterprise"]);
  await expect(plans.filter({ hasText: "Recommended" })).toHaveCount(1);
  await expect(plans.nth(1)).toContainText("Recommended");
  await expect(plans.nth(1)).toHaveAttribute("data-recommended", "true");

  const reference = page.getByTestId("api-reference");
  // The reference renders its operations as they near the viewport (Scalar's lazy rendering), and it
  // sits below the plans: scroll to it as a reader does, then the second operation is there.
  await (await referenceOperation(page, "List charges")).scrollIntoViewIfNeeded();
  await expect(reference.getByText("Charge a card").first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("main")).toHaveCount(1);
  // One h1 as assistive technology gets it: the browser's accessibility tree. (Playwright's role
  // locator gives an <h1> level 1 whatever its aria-level, and Scalar's own title is an <h1> demoted
  // to aria-level 3, which the browser honours.)
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
    nodes: { ignored?: boolean; role?: { value?: string }; name?: { value?: string }; properties?: { name: string; value: { value?: unknown } }[] }[];
  };
  const h1 = nodes.filter((n) => !n.ignored && n.role?.value === "heading" && n.properties?.some((p) => p.name === "level" && p.value.value === 1));
  expect(h1.map((n) => n.name?.value)).toEqual(["Payments API"]);
  await cdp.detach();
  // No sample that looks like a real Portico key anywhere on the page (snippets, description, reference).
  expect(await page.locator("body").innerText()).not.toMatch(/ptk_[A-Za-z0-9]/);
  await expect(page.getByTestId("code-snippets")).toContainText("YOUR_API_KEY");
  // Nor in the reference's key box, whose empty value showed Scalar's base64 sample ("QUxMIFlP…").
  await expect(reference.locator("input.scalar-password-input").first()).toHaveAttribute("placeholder", "YOUR_API_KEY");
  // The reference's authentication card has room for its title (three cards abreast cut it to "Authenticatio").
  const authTitle = reference.locator("h2", { hasText: "Authentication" }).first();
  expect(await authTitle.evaluate((h) => (h.parentElement ? h.parentElement.scrollWidth - h.parentElement.clientWidth : -1))).toBe(0);
  expect(await seriousViolations(page), "product page").toEqual([]);
  // Ctrl-K opens one search, the portal's (the reference's own answered it too), and Escape leaves nothing open.
  await page.locator("h1").first().click();
  await page.keyboard.press("Control+k");
  await expect(page.getByRole("dialog", { name: "Search Portico" })).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  // Shown ("Show Password"), the key's box is an editor of Scalar's with the sample as its data-placeholder: replaced too.
  await reference.getByRole("button", { name: "Show Password" }).first().click();
  const samples = () =>
    reference.evaluate((r) =>
      [...r.querySelectorAll("[placeholder], [data-placeholder]")]
        .map((e) => e.getAttribute("placeholder") ?? e.getAttribute("data-placeholder") ?? "")
        .filter((v) => /^[A-Za-z0-9+/]{16,}={0,2}$/.test(v)),
    );
  await expect.poll(samples).toEqual([]);
});

test.describe("code snippets", () => {
  test.use({ permissions: ["clipboard-read", "clipboard-write"] });

  test("tabs work by keyboard and Copy puts the snippet with the reader's own app name on the clipboard", async ({ page }) => {
    const consumer = await person("consumer");
    const appName = `Harbour Tracker ${tag()}`;
    await conn.db.insert(apps).values({ ownerId: consumer.id, name: appName });
    await signInAs(page, consumer.email);

    await page.goto("/apis/payments");
    const snippets = page.getByTestId("code-snippets");
    await expect(snippets.getByRole("tabpanel")).toContainText(appName);
    const curl = snippets.getByRole("tab", { name: "curl" });
    await expect(curl).toHaveAttribute("aria-selected", "true");
    await curl.focus();
    await page.keyboard.press("ArrowRight");
    const js = snippets.getByRole("tab", { name: "JavaScript" });
    await expect(js).toBeFocused();
    await expect(js).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowRight");
    await expect(snippets.getByRole("tab", { name: "Python" })).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowLeft");
    await expect(js).toHaveAttribute("aria-selected", "true");
    await expect(snippets.getByRole("tabpanel")).toContainText("await fetch(");

    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await snippets.getByRole("button", { name: /^Copy/ }).focus();
    await page.keyboard.press("Enter");
    await expect(snippets.getByRole("status")).toHaveText(/Copied/);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("await fetch(\"https://api.example.com/payments/v1/charges\"");
    expect(copied).toContain(appName);
    expect(copied).toContain("YOUR_API_KEY");
    expect(copied).not.toMatch(/ptk_/);
  });

  test("an OAuth product's snippets show the portal's token URL and a scopes placeholder", async ({ page }) => {
    await page.goto("/apis/identity");
    const panel = page.getByTestId("code-snippets").getByRole("tabpanel");
    await expect(panel).toContainText("/oauth/token");
    await expect(panel).toContainText("YOUR_SCOPES");
    await expect(panel).toContainText("YOUR_CLIENT_SECRET");
  });
});

test("the product form lists every problem of an OpenAPI document, not only the first", async ({ page }) => {
  const owner = await person("owner");
  await signInAs(page, owner.email);
  await page.goto("/admin/products/new");
  const t = tag();
  await page.getByLabel("Name", { exact: true }).fill(`Two problems ${t}`);
  await fillOpenApi(page, "openapi: 3.0.3\ninfo:\n  title: No version\npaths:\n  /b:\n    get:\n      responses: {}\n");
  const before = await conn.db.$count(products);
  await page.getByRole("button", { name: "Create product" }).click();
  const problems = page.getByRole("list", { name: "Problems in the OpenAPI document" }).getByRole("listitem");
  await expect(problems).toHaveCount(2);
  await expect(problems.nth(0)).toContainText(/^info: .*version/);
  await expect(problems.nth(1)).toContainText(/^paths › \/b › get › responses: /);
  expect(await conn.db.$count(products)).toBe(before);
  expect(await seriousViolations(page), "form with problems").toEqual([]);
});

test("a draft's preview renders like its public page for its owner, and is a 404 for another owner and for a visitor", async ({ page, context }) => {
  const { owner, product } = await ownedProduct({ publish: false });
  const path = `/preview/${product.id}`;

  expect((await page.goto(path))?.status(), "signed out").toBe(404);
  const stranger = await person("owner");
  await signInAs(page, stranger.email);
  expect((await page.goto(path))?.status(), "another owner").toBe(404);
  await context.clearCookies();

  await signInAs(page, owner.email);
  await page.goto(`/admin/products/${product.id}`);
  await page.getByRole("link", { name: "Preview the product page" }).click();
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  await expect(page.getByRole("status").filter({ hasText: "Preview — not published" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: product.name })).toBeVisible();
  await expect(page.getByTestId("plan")).toHaveCount(2);
  // Still not in the catalogue.
  expect((await page.request.get(`/apis/${product.slug}`)).status()).toBe(404);
});

test("the owner orders the plans, marks one Recommended and features the product; the public pages follow", async ({ page }) => {
  const { owner, product } = await ownedProduct();
  await signInAs(page, owner.email);
  await page.goto(`/admin/products/${product.id}`);
  const region = page.getByRole("region", { name: "Plans on the product page" });
  const arranged = region.getByTestId("arranged-plan");
  await expect(arranged).toHaveText([/Free/, /Standard/]);
  await region.getByRole("button", { name: "Move Free down" }).click();
  await expect(arranged).toHaveText([/Standard/, /Free/]);
  // Focus follows the moved plan (now last, so its "up" button).
  await expect(region.getByRole("button", { name: "Move Free up" })).toBeFocused();
  await region.getByRole("radio", { name: "Recommend Free" }).check();
  await region.getByRole("button", { name: "Save plan order" }).click();
  await expect(toast(page, "Plans saved")).toBeVisible();

  const offers = await conn.db.select().from(productPlans).where(eq(productPlans.productId, product.id)).orderBy(asc(productPlans.position));
  const [standard, free] = await demoPlanIds().then((ids) => [ids[1], ids[0]]);
  expect(offers.map((o) => [o.planId, o.recommended])).toEqual([
    [standard, false],
    [free, true],
  ]);

  await page.getByRole("switch", { name: "Featured on the home page" }).click();
  await expect(toast(page, "is featured on the home page")).toBeVisible();
  expect((await conn.db.select({ featured: products.featured }).from(products).where(eq(products.id, product.id)))[0]?.featured).toBe(true);
  const audit = await conn.db.$count(auditEvents, eq(auditEvents.subjectId, product.id));
  expect(audit).toBeGreaterThanOrEqual(4); // created, published, plans arranged, featured

  await page.goto(`/apis/${product.slug}`);
  await expect(page.getByTestId("plan").getByRole("heading", { level: 3 })).toHaveText(["Standard", "Free"]);
  await expect(page.getByTestId("plan").nth(1)).toContainText("Recommended");
  await page.goto("/");
  await expect(page.getByRole("list", { name: "Featured APIs" }).getByRole("listitem").filter({ hasText: product.name })).toHaveCount(1);

  // Leave the home page as other specs expect it.
  await page.goto(`/admin/products/${product.id}`);
  await page.getByRole("switch", { name: "Featured on the home page" }).click();
  await expect(toast(page, "no longer featured")).toBeVisible();
  await changeProductStatus(conn.db, actor(owner), product.id, "unpublish");
});

test("plan order and featuring are refused for an owner of other products, a consumer and a visitor, writing nothing", async ({ request }) => {
  const { owner, product } = await ownedProduct();
  const [free] = await demoPlanIds();
  // One plan offered, so the action's list is one field.
  await conn.sql`delete from product_plans where product_id = ${product.id} and plan_id <> ${free ?? ""}`;
  const coOwner = (await ownedProduct({ publish: false })).owner;
  const identities = {
    visitor: undefined,
    consumer: await sessionCookie(conn, (await person("consumer")).id),
    "owner of another product": await sessionCookie(conn, coOwner.id),
  };
  const file = "app/admin/products/actions.ts";
  const cases: { name: string; fields: Record<string, string> }[] = [
    { name: "arrangeProductPlansAction", fields: { id: product.id, planIds: free ?? "", recommendedPlanId: free ?? "" } },
    { name: "setProductFeaturedAction", fields: { id: product.id, featured: "on" } },
  ];
  const snapshot = async () => ({
    product: (await conn.db.select({ featured: products.featured }).from(products).where(eq(products.id, product.id)))[0],
    offers: await conn.db.select().from(productPlans).where(eq(productPlans.productId, product.id)),
    audit: await conn.db.$count(auditEvents, eq(auditEvents.subjectId, product.id)),
  });
  const before = await snapshot();
  for (const c of cases) {
    for (const [who, cookie] of Object.entries(identities)) {
      const res = await callAction(request, { page: "/admin/products", file, name: c.name, fields: c.fields, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(/Your session has ended|Your role does not allow|was not found/);
      expect(res.text, `${c.name} as ${who}`).not.toMatch(/"ok":true/);
    }
  }
  expect(await snapshot()).toEqual(before);

  // Control: the product's owner may.
  const ownerCookie = await sessionCookie(conn, owner.id);
  const res = await callAction(request, { page: "/admin/products", file, name: "arrangeProductPlansAction", fields: cases[0]?.fields ?? {}, cookie: ownerCookie });
  expect(res.text).toContain('"ok":true');
  expect((await snapshot()).offers.map((o) => o.recommended)).toEqual([true]);
  await changeProductStatus(conn.db, actor(owner), product.id, "unpublish");
});
