import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, auditEvents, plans, products } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { createPlanInUi, createProductInUi, fillOpenApi, PARCELS_OPENAPI, publishProductInUi, referenceOperation, seriousViolations } from "./helpers-products";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const counts = async () => {
  const [row] = await conn.sql`select
    (select count(*)::int from products) as products,
    (select count(*)::int from plans) as plans,
    (select count(*)::int from product_plans) as offers`;
  return row;
};

test("an owner publishes a product with an API reference and a plan with questions; a consumer must answer them", async ({ page, browser }) => {
  const tag = randomBytes(3).toString("hex");
  const planName = `Partner ${tag}`;
  const slug = `parcels-${tag}`;
  await signInAs(page, "owner@portico.dev");

  // Plan form: the shared schema refuses bad values beside their fields before anything is sent.
  await page.goto("/admin/plans/new");
  await page.getByLabel("Name", { exact: true }).fill(planName);
  await page.getByLabel("Approvals required").fill("0");
  await page.getByRole("button", { name: "Add a field" }).click();
  await page.getByLabel("Field 1 label").fill("Environment");
  await page.getByLabel("Field 1 type").selectOption({ label: "List of options" });
  const before = await counts();
  await page.getByRole("button", { name: "Create plan" }).click();
  await expect(page.locator('[id="approvalsRequired-error"]')).toHaveText("Approvals required must be from 1 to 5.");
  await expect(page.locator('[id="requestFields.0.options-error"]')).toContainText("needs at least one option");
  expect(await counts()).toEqual(before);
  expect(await seriousViolations(page), "plan form with errors").toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/screens/plan-form-phone.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  const planId = await createPlanInUi(page, {
    name: planName,
    fields: [
      { label: "Company name", type: "text" },
      { label: "Environment", type: "select", options: ["Sandbox", "Production"] },
    ],
  });
  const [plan] = await conn.db.select().from(plans).where(eq(plans.id, planId));
  expect(plan).toMatchObject({
    autoApprove: false,
    keyLifetimeDays: 180,
    claimLinkLifetimeHours: 72,
    requestFields: [
      { key: "companyName", label: "Company name", type: "text", required: true },
      { key: "environment", label: "Environment", type: "select", required: true, options: ["Sandbox", "Production"] },
    ],
  });

  // Product form: Markdown preview renders without raw HTML.
  const beforeProduct = await counts();
  await page.goto("/admin/products/new");
  await page.getByLabel("Description (Markdown)").fill("# Parcels\n\n## Track parcels\n\n<script>window.pwned = 1</script>Live positions.");
  await page.getByRole("tab", { name: "Preview" }).click();
  await expect(page.getByTestId("markdown-preview").getByRole("heading", { name: "Track parcels" })).toBeVisible();
  // "# Title" is a heading too, one level under the page's own <h1>, and styled larger than "##".
  const title = page.getByTestId("markdown-preview").getByRole("heading", { name: "Parcels", exact: true, level: 2 });
  await expect(title).toBeVisible();
  expect(await title.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThan(20);
  await expect(page.getByTestId("markdown-preview").locator("script")).toHaveCount(0);
  await page.getByRole("tab", { name: "Write" }).click();

  // An invalid document and a taken slug are refused beside their fields; nothing is written.
  await page.getByLabel("Name", { exact: true }).fill(`Parcels ${tag}`);
  await page.getByLabel("Slug").fill("payments");
  await fillOpenApi(page, "openapi: 3.0.3\ninfo:\n  title: Missing version\npaths: {}\n");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.locator("#openapi-error")).toContainText("not valid");
  await expect(page.locator("#openapi-error")).toContainText("version");
  await fillOpenApi(page, PARCELS_OPENAPI);
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.locator("#slug-error")).toContainText("That slug is taken");
  await expect(page.getByLabel("Slug")).toBeFocused();
  // What was typed is still there after the refusal: shown in the code editor (a contenteditable, which
  // has no value), and carried whole by the form field that is sent.
  await expect(page.getByTestId("openapi-editor")).toContainText("operationId: trackParcel");
  await expect(page.locator('[name="openapi"]')).toHaveValue(PARCELS_OPENAPI);
  expect(await seriousViolations(page), "product form with errors").toEqual([]);
  await page.screenshot({ path: "test-results/screens/product-form.png", fullPage: true });
  expect(await counts()).toEqual(beforeProduct);

  const productId = await createProductInUi(page, {
    name: `Parcels ${tag}`,
    slug,
    summary: "Track parcels anywhere.",
    description: `## Track parcels\n\nLive positions for every parcel. Webhook: https://parcels.example.com/${"x".repeat(200)}`,
    tags: "logistics, maps",
    openapi: PARCELS_OPENAPI,
    plans: [planName],
  });
  await expect(page.locator('[data-status="draft"]').first()).toBeVisible();
  await page.goto("/admin/products");
  await expect(page.getByTestId("product-row").filter({ hasText: `Parcels ${tag}` })).toContainText("Draft");

  // Not in the catalogue until published; then at once.
  expect((await page.goto(`/apis/${slug}`))?.status()).toBe(404);
  await publishProductInUi(page, productId);
  const events = await conn.db.select().from(auditEvents).where(eq(auditEvents.subjectId, productId));
  expect(events.map((e) => e.action).sort()).toEqual(["product.created", "product.published"]);
  // The owner's list finds it by name and by status, and says so when nothing matches.
  await page.goto("/admin/products");
  await page.getByRole("searchbox").fill(`parcels ${tag}`);
  await page.getByLabel("Status").selectOption("Published");
  await page.getByRole("search", { name: "Filter products" }).getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("product-row")).toHaveCount(1);
  await expect(page.getByTestId("product-row")).toContainText(`Parcels ${tag}`);
  await page.getByLabel("Status").selectOption("Archived");
  await page.getByRole("search", { name: "Filter products" }).getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No products match")).toBeVisible();

  // A consumer finds it, reads the API reference, and must answer the plan's questions.
  const consumerContext = await browser.newContext();
  const consumer = await consumerContext.newPage();
  await signInAs(consumer, `parcels-${tag}@example.com`, "/apis");
  await expect(consumer.getByRole("link", { name: `Parcels ${tag}` })).toBeVisible();
  await consumer.getByRole("link", { name: `Parcels ${tag}` }).click();
  await expect(consumer).toHaveURL(new RegExp(`/apis/${slug}$`));
  await expect(consumer.getByRole("heading", { name: "API reference" })).toBeVisible();
  await referenceOperation(consumer, "Track a parcel");
  await consumer.screenshot({ path: "test-results/screens/product-page.png", fullPage: true });
  // A 230-character URL in the description wraps; the page does not scroll sideways.
  expect(await consumer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(consumer.viewportSize()?.width ?? 0);
  expect(await seriousViolations(consumer), "product page with its API reference").toEqual([]);

  await consumer.getByRole("button", { name: `Access with the ${planName} plan` }).click();
  await expect(consumer.getByText("is in your cart")).toBeVisible();
  await consumer.goto("/cart");
  await consumer.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await consumer.getByLabel("New app name").fill("Tracker");
  await consumer.getByLabel("Why do you need access?").fill("Show parcel positions in our shop.");
  await consumer.getByLabel("Environment").selectOption("Production");
  await consumer.getByRole("button", { name: "Submit request" }).click();
  await expect(consumer.locator('[id="field.companyName-error"]')).toHaveText("Fill in “Company name”.");
  await consumer.getByLabel("Company name").fill("Acme Parcels");
  await consumer.getByLabel("Environment").selectOption("Production");
  await consumer.getByRole("button", { name: "Submit request" }).click();
  await expect(consumer).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  await expect(consumer.getByTestId("request-status")).toHaveText("Pending");
  const requestId = new URL(consumer.url()).pathname.split("/").at(-1) ?? "";
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
  expect(request).toMatchObject({ planId, fields: { companyName: "Acme Parcels", environment: "Production" }, plan: { name: planName, autoApprove: false } });

  // Unpublishing takes it out of the catalogue at once.
  await page.goto(`/admin/products/${productId}`);
  await page.getByRole("button", { name: "Unpublish (back to draft)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "out of the catalogue" })).toBeVisible();
  expect((await consumer.goto(`/apis/${slug}`))?.status()).toBe(404);
  await consumer.goto("/apis");
  await expect(consumer.getByRole("link", { name: `Parcels ${tag}` })).toHaveCount(0);
  const [row] = await conn.db.select({ status: products.status }).from(products).where(eq(products.id, productId));
  expect(row?.status).toBe("draft");
  await consumerContext.close();
});
