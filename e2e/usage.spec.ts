import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequestProducts, accessRequests, apiKeys, apps, auditEvents, keyUsageDaily, plans, products, usageCounters, users } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { seriousViolations } from "./helpers-products";

/**
 * Usage people can see (issue 16): what verify's limiter would have flushed is inserted directly
 * (key_usage_daily per key per day per outcome, the month row of usage_counters), then each page
 * shows those exact numbers as a chart with its table, and the revoke confirmations name them.
 */
const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const now = new Date();
const TODAY = utcDay(now);
const YESTERDAY = utcDay(new Date(now.getTime() - 86_400_000));
const longDay = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** A consumer's app with an available request for a fresh owner's product, its key, and usage rows. */
async function usageFixture() {
  const tag = randomBytes(4).toString("hex");
  const [consumer] = await conn.db.insert(users).values({ email: `usage-${tag}@example.com`, name: `Uma ${tag}` }).returning();
  const [owner] = await conn.db.insert(users).values({ email: `usage-owner-${tag}@example.com`, name: `Otto ${tag}`, role: "owner" }).returning();
  if (!consumer || !owner) throw new Error("users");
  const [product] = await conn.db
    .insert(products)
    .values({ slug: `metrics-${tag}`, name: `Metrics ${tag}`, ownerId: owner.id, status: "published" })
    .returning();
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  const [app] = await conn.db.insert(apps).values({ ownerId: consumer.id, name: `Usage app ${tag}` }).returning();
  if (!product || !plan || !app) throw new Error("product, plan or app");
  const [request] = await conn.db
    .insert(accessRequests)
    .values({
      requesterId: consumer.id,
      appId: app.id,
      planId: plan.id,
      status: "available",
      reason: "Usage charts",
      decidedAt: now,
      plan: {
        name: "Standard",
        autoApprove: false,
        approvalsRequired: 1,
        keyLifetimeDays: null,
        claimLinkLifetimeHours: 72,
        rateLimitPerMinute: 60,
        quotaPerMonth: 1000,
        reviewRequired: false,
        requestFields: [],
      },
    })
    .returning();
  if (!request) throw new Error("request");
  await conn.db.insert(accessRequestProducts).values({ requestId: request.id, productId: product.id, approvedById: owner.id, approvedAt: now });
  const [key] = await conn.db
    .insert(apiKeys)
    .values({ keyHash: `e2e-usage-${tag}-${randomBytes(8).toString("hex")}`, start: `ptk_${tag.slice(0, 4)}`, appId: app.id, requestId: request.id })
    .returning();
  if (!key) throw new Error("key");
  await conn.db.insert(keyUsageDaily).values([
    { keyId: key.id, day: TODAY, outcome: "allowed", product: product.slug, count: 340 },
    { keyId: key.id, day: TODAY, outcome: "rate_limited", product: product.slug, count: 7 },
    { keyId: key.id, day: YESTERDAY, outcome: "allowed", product: product.slug, count: 100 },
    { keyId: key.id, day: TODAY, outcome: "unknown_product", product: "someone-elses-api", count: 3 },
  ]);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  await conn.db.insert(usageCounters).values({ subjectId: request.id, window: "month", windowStart: monthStart, count: 447 });
  await conn.db.insert(auditEvents).values({ actorId: owner.id, action: "request.approved", subjectType: "request", subjectId: request.id });
  return { consumer, owner, product, app, request, key };
}

async function expectNoSeriousViolations(page: Page) {
  expect(await seriousViolations(page)).toEqual([]);
}

test("the consumer's app page charts its calls per day by outcome, with a table toggle, filters and this month's quota", async ({ page }) => {
  const f = await usageFixture();
  await signInAs(page, f.consumer.email, `/apps/${f.app.id}`);

  const chart = page.getByTestId("app-usage");
  await expect(chart.getByTestId("app-usage-total")).toHaveText("450 calls");
  // The drawing is one image with a summary a screen reader reads out.
  const image = chart.getByRole("img");
  await expect(image).toHaveAttribute("aria-label", /Calls per day: 450 calls in 30 days — 440 allowed, 7 rate limited, 3 not for that product\./);
  await expect(chart.getByRole("list", { name: "Legend" })).toContainText("Allowed 440");
  await expect(page.getByTestId("quota-bar")).toHaveText("447 of 1,000 calls this month (44 %)");

  // Show as table: the same numbers, day by day.
  const table = chart.getByTestId("app-usage-table");
  await expect(table).toBeHidden();
  await chart.getByText("Show as table").click();
  await expect(table).toBeVisible();
  const cellsOf = (day: string) => table.getByRole("row", { name: longDay.format(new Date(`${day}T00:00:00Z`)) }).getByRole("cell");
  await expect(table.getByRole("columnheader")).toHaveText(["Day", "Allowed", "Rate limited", "Not for that product", "Total"]);
  await expect(cellsOf(TODAY)).toHaveText(["340", "7", "3", "350"]);
  await expect(cellsOf(YESTERDAY)).toHaveText(["100", "0", "0", "100"]);
  await expect(table.getByRole("row")).toHaveCount(32); // header, 30 days, total
  await expectNoSeriousViolations(page);

  // Filter by product: only the calls that named it.
  await page.getByLabel("Product", { exact: true }).selectOption({ label: f.product.name });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(chart.getByTestId("app-usage-total")).toHaveText("447 calls");
  await expect(chart).toContainText(`Calls per day, ${f.product.name}`);
  await page.getByLabel("Key", { exact: true }).selectOption({ label: `${f.key.start}…` });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(chart).toContainText(`Calls per day, key ${f.key.start}…, ${f.product.name}`);
  await expect(chart.getByTestId("app-usage-total")).toHaveText("447 calls");

  // At 390 px wide the page does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(chart.getByRole("img")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // My requests: today's calls and the month against the quota, at a glance.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/requests");
  const usage = page.getByTestId("request-row").filter({ hasText: f.product.name }).getByTestId("request-usage");
  await expect(usage).toContainText("350 calls today");
  await expect(usage).toContainText("447 of 1,000 calls this month (44 %)");
  await expectNoSeriousViolations(page);
});

test("the owner sees the product's calls per day and top apps, the overview's charts, and the calls before revoking", async ({ page }) => {
  const f = await usageFixture();
  await signInAs(page, f.owner.email, `/admin/products/${f.product.id}`);
  const chart = page.getByTestId("product-usage");
  // The product's calls are those that named it (the call for someone else's API is not its).
  await expect(chart.getByTestId("product-usage-total")).toHaveText("447 calls");
  await chart.getByText("Show as table").click();
  await expect(chart.getByTestId("product-usage-table").getByRole("row", { name: /^All 30 days/ }).getByRole("cell")).toHaveText(["440", "7", "447"]);
  await expect(page.getByTestId("top-app")).toHaveCount(1);
  await expect(page.getByTestId("top-app").getByRole("cell")).toHaveText([f.app.name, f.consumer.email, "447", "7"]);
  await expectNoSeriousViolations(page);

  await page.goto("/admin");
  await expect(page.getByTestId("decisions-chart").getByRole("img")).toHaveAttribute("aria-label", /Requests decided per day: 1 request in 30 days — 1 approved\./);
  await expect(page.getByTestId("calls-chart").getByTestId("calls-chart-total")).toHaveText("447 calls");
  await expect(page.getByTestId("calls-chart")).toContainText("Calls per day to your products");
  await expectNoSeriousViolations(page);

  // Revoking from the keys page: the confirmation names the access's calls today and yesterday.
  await page.goto(`/admin/keys?q=${encodeURIComponent(f.key.start)}`);
  const row = page.getByTestId("admin-key").filter({ hasText: f.key.start });
  await expect(row.getByTestId("key-calls-today")).toHaveText("350 calls today");
  await row.getByRole("button", { name: /^Revoke/ }).click();
  await expect(row.getByTestId("revoke-usage")).toHaveText("Used 350 times today and 100 times yesterday (UTC) — revoke anyway?");
  await expectNoSeriousViolations(page);
  await row.getByRole("button", { name: "Cancel" }).click();

  // And from the request's panel in the queue, where it is revoked for real.
  await page.goto(`/admin/requests?status=all&open=${f.request.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await panel.getByRole("button", { name: "Revoke access" }).click();
  await expect(panel.getByTestId("revoke-usage")).toHaveText("Used 350 times today and 100 times yesterday (UTC) — revoke anyway?");
  await panel.getByLabel("Why? The requester is emailed this.").fill("Moving to the new plan.");
  await panel.getByRole("button", { name: "Revoke now" }).click();
  await expect
    .poll(async () => (await conn.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, f.request.id)))[0]?.status)
    .toBe("revoked");
});
