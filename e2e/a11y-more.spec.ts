import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, products, users } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { seriousViolations } from "./helpers-products";
import { inBothThemes, setThemeCookie } from "./helpers-theme";

/**
 * The pages no other scan reached (an audit of issue 18's "every page" on 2026-12-07): axe in both
 * themes, and no page wider than a 390 px phone. e2e/a11y.spec.ts and e2e/phone.spec.ts hold the rest.
 */
async function scanned(page: Page, path: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `${path} (${theme})`).toEqual([]));
  await page.setViewportSize({ width: 390, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${path} at 390 px`).toBeLessThanOrEqual(390);
}

test("sign-in's other pages, the not-found page and the dev mailbox: no serious or critical axe violations in light and dark, none wider than 390 px", async ({ page }) => {
  test.setTimeout(180_000);
  for (const path of ["/signin/check-email", "/signin/error?error=Verification", "/apis/no-such-product", "/dev/mailbox"]) await scanned(page, path);
});

test("an owner's products, plans, a plan, a product's form and its preview: no serious or critical axe violations in light and dark, none wider than 390 px", async ({ page }) => {
  test.setTimeout(240_000);
  const conn = e2eDb();
  const [product] = await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, "payments"));
  // A plan this owner owns: the demo plans have no owner, and an owner's edit page for one is a 404.
  const [owner] = await conn.db.select({ id: users.id }).from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  const [plan] = await conn.db.insert(plans).values({ name: `Scanned ${randomBytes(4).toString("hex")}`, ownerId: owner.id }).returning({ id: plans.id });
  await conn.sql.end();
  await signInAs(page, "owner@portico.dev", "/admin/products");
  for (const path of ["/admin/products", "/admin/plans", `/admin/plans/${plan?.id}`, `/admin/products/${product?.id}`, `/preview/${product?.id}`]) {
    await scanned(page, path);
  }
  // The OpenAPI editor in dark: a dark box, light text and a light caret (it was a white box, and its
  // caret black on the dark one).
  await page.setViewportSize({ width: 1280, height: 800 });
  await setThemeCookie(page, "dark");
  await page.goto(`/admin/products/${product?.id}`);
  const editor = page.getByTestId("openapi-editor");
  await expect(editor).toBeVisible();
  const look = await editor.evaluate((content) => {
    const box = content.closest(".portico-code");
    return { background: box ? getComputedStyle(box).backgroundColor : "", text: getComputedStyle(content).color, caret: getComputedStyle(content).caretColor };
  });
  // Chromium gives a colour as rgb(r, g, b), or in the space it was written or mixed in: oklch(L …)
  // and oklab(L …) with L from 0 to 1, lab(L …) and lch(L …) with L from 0 to 100.
  const light = (colour: string) => {
    const space = /^(ok)?(?:lab|lch)\(([\d.]+)(%?)/.exec(colour);
    if (space) return Number(space[2]) / (space[1] && !space[3] ? 1 : 100) > 0.6;
    const [r = 0, g = 0, b = 0] = (colour.match(/[\d.]+/g) ?? []).map(Number);
    return (r + g + b) / 3 > 128;
  };
  expect(look.background && !light(look.background), `background ${look.background}`).toBe(true);
  expect(light(look.text), `text ${look.text}`).toBe(true);
  expect(light(look.caret), `caret ${look.caret}`).toBe(true);
  await setThemeCookie(page, "light");
});

test("the admin's email log: no serious or critical axe violations in light and dark, not wider than 390 px", async ({ page }) => {
  await signInAs(page, "admin@portico.dev", "/admin/emails");
  await scanned(page, "/admin/emails");
});
