import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { products as productsTable } from "../db/schema";
import { e2eDb } from "./db";

// The catalogue lists every published product. Other specs publish products of their own, so the
// expected count is read from the database rather than assumed to be the demo data's nine.
async function publishedCount() {
  const { db, sql } = e2eDb();
  try {
    return await db.$count(productsTable, eq(productsTable.status, "published"));
  } finally {
    await sql.end();
  }
}

test("a visitor browses, searches, filters and opens a product", async ({ page }) => {
  await page.goto("/");
  // The headline is the brand's (Admin → Branding); one h1 whatever it says.
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await page.getByRole("link", { name: "Browse all APIs" }).click();

  await expect(page.getByRole("heading", { name: "API catalogue" })).toBeVisible();
  const products = page.getByRole("list", { name: "API products" }).getByRole("listitem");
  await expect(products).toHaveCount(await publishedCount());
  // Drafts stay out of the catalogue.
  await expect(page.getByText("Ledger API (beta)")).toHaveCount(0);

  await page.getByRole("searchbox", { name: "Search APIs" }).fill("route");
  await page.getByRole("main").getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=route/);
  await expect(products).toHaveCount(1);
  await expect(products.first()).toContainText("Routing API");

  await page.goto("/apis");
  await page.getByRole("navigation", { name: "Filter by tag" }).getByRole("link", { name: "identity" }).click();
  await expect(page).toHaveURL(/tag=identity/);
  await expect(products).toHaveCount(2);

  await page.getByRole("link", { name: "Identity API" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Identity API" })).toBeVisible();
  await expect(page.getByText("OAuth 2.0").first()).toBeVisible();
  const plans = page.getByTestId("plan");
  await expect(plans).toHaveCount(2);
  await expect(plans.filter({ hasText: "Enterprise" })).toContainText("Needs 2 approvals");
  await expect(page.getByRole("heading", { name: "Getting started" })).toBeVisible();
});

test("a search with no match says so and offers a way back", async ({ page }) => {
  await page.goto("/apis?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  await expect(page.getByText("No APIs match your search")).toBeVisible();
  await page.getByRole("link", { name: "clear the filters" }).click();
  await expect(page.getByRole("list", { name: "API products" }).getByRole("listitem")).toHaveCount(await publishedCount());
});

test("an unknown product slug gets the 404 page", async ({ page }) => {
  for (const slug of ["no-such-api", "ledger-beta", "..%2F..%2Fetc", "A".repeat(300)]) {
    const response = await page.goto(`/apis/${slug}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    // The tab says so too, in the portal's name (another test may be renaming it: any name).
    await expect(page).toHaveTitle(/^Page not found · ./);
  }
});

test("on a 390 px phone a product page offers its plans at once, and the link lands on them", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/apis/payments");
  const jump = page.getByRole("link", { name: /^Choose a plan/ });
  // Within the first screen, without scrolling.
  const box = await jump.boundingBox();
  expect(box, "the plans link is shown").not.toBeNull();
  if (box) expect(box.y + box.height, "the plans link within the first screen").toBeLessThanOrEqual(844);
  const heading = page.getByRole("heading", { level: 2, name: "Plans", exact: true });
  await expect(heading).not.toBeInViewport();
  // A tap before the page has hydrated can lose its hash to the router's first history entry (CI saw
  // the URL stay without it for 20 s once): tapped again until it holds, as a person would.
  await expect(async () => {
    await jump.click();
    await expect(page).toHaveURL(/#plans$/, { timeout: 2_000 });
  }).toPass();
  await expect(heading).toBeInViewport();
  await expect(heading).toBeFocused();
  await expect(page.getByTestId("plan").first()).toBeInViewport();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scroll at 390 px").toBeLessThanOrEqual(390);

  // From 1024 px the plans sit beside the overview: no link needed.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/apis/payments");
  await expect(jump).toBeHidden();
  await expect(heading).toBeInViewport();
});

test("a tag reads the same on the home page and in the catalogue, and its filter still works", async ({ page }) => {
  await page.goto("/");
  const category = page.getByRole("list", { name: "Categories" }).locator('a[href="/apis?tag=finance"] span').first();
  // As rendered (innerText takes CSS text-transform into account).
  await expect(category).toHaveText("Finance", { useInnerText: true });

  await page.goto("/apis");
  const chip = page.getByRole("navigation", { name: "Filter by tag" }).locator('a[href="/apis?tag=finance"]');
  await expect(chip).toHaveText("Finance", { useInnerText: true });
  const cardTags = page.getByRole("list", { name: "API products" }).getByText("Finance", { exact: true });
  await expect(cardTags.first()).toHaveText("Finance", { useInnerText: true });

  await chip.click();
  await expect(page).toHaveURL(/tag=finance$/);
  await expect(chip).toHaveAttribute("aria-current", "page");
  await expect(page.getByText(/ APIs? tagged Finance$/)).toBeVisible();
  const listed = page.getByRole("list", { name: "API products" }).getByRole("listitem");
  await expect(listed.first()).toBeVisible();
  for (const card of await listed.all()) await expect(card.getByText("Finance", { exact: true })).toBeVisible();
});
