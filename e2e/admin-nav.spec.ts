import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, reviews, users } from "../db/schema";
import { navCountText } from "../lib/admin/nav-count-cap";
import { navCounts } from "../lib/admin/nav-counts";
import { userActor } from "../lib/auth/permissions";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { userMenu, userRow } from "./helpers-admin-users";
import { seriousViolations } from "./helpers-products";
import { inBothThemes } from "./helpers-theme";
import { pendingRequest } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const tag = () => randomBytes(3).toString("hex");
const adminNav = (page: Page) => page.getByRole("navigation", { name: "Admin" });

/** A new owner with a product of their own (Standard plan), published. */
async function ownerWithProduct() {
  const t = tag();
  const [owner] = await conn.db.insert(users).values({ email: `nav-owner-${t}@example.com`, name: `Nav owner ${t}`, role: "owner" }).returning();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !standard) throw new Error("seed data missing");
  const [product] = await conn.db
    .insert(products)
    .values({ slug: `nav-${t}`, name: `Nav ${t} API`, ownerId: owner.id, status: "published" })
    .returning();
  if (!product) throw new Error("product insert");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  return { owner, product };
}

test("the badges count what each viewer may decide: an owner never counts another owner's requests", async ({ page, browser }) => {
  const a = await ownerWithProduct();
  const b = await ownerWithProduct();
  const first = await pendingRequest(conn, a.product.slug);
  await pendingRequest(conn, a.product.slug);
  await pendingRequest(conn, b.product.slug);

  await signInAs(page, a.owner.email, "/admin");
  await expect(adminNav(page).getByRole("link", { name: "Approval queue 2 pending" })).toBeVisible();
  await expect(adminNav(page).getByRole("link", { name: "Reviews", exact: true })).toBeVisible();
  // A decision waiting for review on one of their requests: the Reviews link counts it too.
  await conn.db.insert(reviews).values({ requestId: first.requestId, kind: "approved" });
  await page.reload();
  await expect(adminNav(page).getByRole("link", { name: "Reviews 1 to review" })).toBeVisible();
  expect(await seriousViolations(page), "/admin with badges").toEqual([]);

  const other = await browser.newContext();
  const theirs = await other.newPage();
  await signInAs(theirs, b.owner.email, "/admin/keys");
  await expect(adminNav(theirs).getByRole("link", { name: "Approval queue 1 pending" })).toBeVisible();
  await expect(adminNav(theirs).getByRole("link", { name: "Reviews", exact: true })).toBeVisible();
  await other.close();

  // The admin counts every owner's requests (and whatever else waits in the suite's database).
  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  if (!admin) throw new Error("seed data missing");
  // Signed out first: /signin sends a signed-in person straight on, without its form.
  await page.context().clearCookies();
  await signInAs(page, admin.email);
  const expected = await navCounts(conn.db, userActor(admin));
  expect(expected.queue).toBeGreaterThanOrEqual(3);
  await page.goto("/admin");
  await expect(adminNav(page).getByRole("link", { name: `Approval queue ${navCountText(expected.queue)} pending` })).toBeVisible();
});

/** The sidebar's groups and their links, in order, as an admin sees them. */
const ADMIN_GROUPS: [string, string[]][] = [
  ["Access", ["Overview", "Approval queue", "Reviews", "Keys"]],
  ["Catalogue", ["Products", "Plans"]],
  ["People & security", ["Users", "Sign-in policy", "Audit log"]],
  ["Integrations", ["API access keys", "Webhooks"]],
  ["Portal", ["Branding", "Email subjects", "Email delivery"]],
];

test("the sidebar groups its links in named lists; every link is reached by Tab; the page's own link is current", async ({ page }) => {
  await signInAs(page, "admin@portico.dev", "/admin/security");
  const nav = adminNav(page);
  const lists = nav.getByRole("list");
  await expect(lists).toHaveCount(ADMIN_GROUPS.length);
  const order: string[] = [];
  for (const [index, [group, labels]] of ADMIN_GROUPS.entries()) {
    // Named by its heading (aria-labelledby), in this order.
    await expect(lists.nth(index)).toHaveAccessibleName(group);
    await expect(nav.getByRole("heading", { name: group, exact: true })).toBeVisible();
    const links = lists.nth(index).getByRole("link");
    await expect(links).toHaveCount(labels.length);
    for (const [i, label] of labels.entries()) await expect(links.nth(i)).toHaveText(new RegExp(`^${label}`));
    order.push(...labels);
  }
  // The admin's policy page is named for what it sets, not "Security" (the person's own is in the account menu).
  const current = nav.locator('[aria-current="page"]');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveAccessibleName("Sign-in policy");
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in policy" })).toBeVisible();

  // Every link in turn by keyboard, in the order shown.
  await nav.getByRole("link").first().focus();
  for (const [i, label] of order.entries()) {
    if (i > 0) await page.keyboard.press("Tab");
    await expect(page.locator(":focus"), `Tab stop ${i + 1}`).toHaveText(new RegExp(`^${label}`));
  }
  expect(await seriousViolations(page), "/admin/security with the grouped sidebar").toEqual([]);

  // Following one moves the current mark with it.
  await nav.getByRole("link", { name: "Email subjects" }).click();
  await expect(page).toHaveURL(/\/admin\/settings\/emails$/);
  await expect(current).toHaveCount(1);
  await expect(current).toHaveAccessibleName("Email subjects");
});

test("an owner's sidebar has only the Access and Catalogue groups: the admin-only links stay out", async ({ page }) => {
  const { owner } = await ownerWithProduct();
  await signInAs(page, owner.email, "/admin/products");
  const nav = adminNav(page);
  await expect(nav.getByRole("list")).toHaveCount(2);
  await expect(nav.getByRole("list").nth(0)).toHaveAccessibleName("Access");
  await expect(nav.getByRole("list").nth(1)).toHaveAccessibleName("Catalogue");
  await expect(nav.getByRole("link")).toHaveCount(6);
  for (const hidden of ["Users", "Sign-in policy", "Audit log", "API access keys", "Webhooks", "Branding", "Email subjects", "Email delivery"]) {
    await expect(nav.getByRole("link", { name: hidden })).toHaveCount(0);
  }
  await expect(nav.getByRole("link", { name: "Products" })).toHaveAttribute("aria-current", "page");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the admin menu opens by keyboard and reaches every section", async ({ page }) => {
    await signInAs(page, "admin@portico.dev", "/admin/users");
    const toggle = adminNav(page).getByRole("button", { name: /Admin menu/ });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(toggle).toContainText("Users");
    await expect(adminNav(page).getByRole("link", { name: "Branding" })).toBeHidden();

    await toggle.focus();
    await page.keyboard.press("Enter");
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    const links = adminNav(page).getByRole("link");
    await expect(links).toHaveCount(14);
    for (const link of await links.all()) {
      await expect(link).toBeVisible();
      const box = await link.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390, `${await link.textContent()} inside the screen`).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page), "/admin/users with the admin menu open").toEqual([]);

    await page.keyboard.press("Tab");
    await expect(links.first()).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(toggle).toBeFocused();

    // The last section, reached and followed: the menu closes and names where the person is.
    await toggle.click();
    await adminNav(page).getByRole("link", { name: "Branding" }).click();
    await expect(page).toHaveURL(/\/admin\/branding$/);
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(toggle).toContainText("Branding");
  });

  test("the closed admin menu says what its counts are, in the sidebar's words", async ({ page }) => {
    const a = await ownerWithProduct();
    const first = await pendingRequest(conn, a.product.slug);
    await pendingRequest(conn, a.product.slug);
    await conn.db.insert(reviews).values({ requestId: first.requestId, kind: "approved" });
    await signInAs(page, a.owner.email, "/admin");
    const toggle = adminNav(page).getByRole("button", { name: /Admin menu/ });
    await inBothThemes(page, async (theme) => {
      // Seen and heard alike: "2 pending", "1 to review", not a bare "3".
      await expect(toggle).toHaveAccessibleName("Admin menu · Overview 2 pending 1 to review");
      await expect(toggle.getByText("2 pending", { exact: true })).toBeVisible();
      await expect(toggle.getByText("1 to review", { exact: true })).toBeVisible();
      const box = await toggle.boundingBox();
      expect(box && box.x + box.width <= 390, "the menu button inside the screen").toBe(true);
      expect(await seriousViolations(page), `/admin at 390 px with counts (${theme})`).toEqual([]);
    });
  });

  test("a user's card has its ⋮ menu in the top right corner, on the name's line, 44 px square", async ({ page }) => {
    const t = tag();
    const [person] = await conn.db.insert(users).values({ email: `card-${t}@example.com`, name: `Card person ${t}` }).returning();
    if (!person) throw new Error("user insert");
    await signInAs(page, "admin@portico.dev", `/admin/users?q=${t}`);
    const row = userRow(page, person.email);
    const menu = row.getByRole("button", { name: `Actions for ${person.email}` });
    const name = row.getByText(`Card person ${t}`, { exact: true });
    await inBothThemes(page, async (theme) => {
      const [card, button, text] = [await row.boundingBox(), await menu.boundingBox(), await name.boundingBox()];
      if (!card || !button || !text) throw new Error("the card, its menu or the name is not shown");
      // The line the name is on: the block around it (the card's title line).
      const line = await name.evaluate((el) => el.parentElement?.closest("div, td")?.getBoundingClientRect().top ?? NaN);
      expect(button.width, `the menu's width (${theme})`).toBeGreaterThanOrEqual(44);
      expect(button.height, `the menu's height (${theme})`).toBeGreaterThanOrEqual(44);
      expect(Math.abs(button.y - line), `the menu's top and the name line's (${theme})`).toBeLessThanOrEqual(4);
      expect(Math.abs(button.y + button.height / 2 - (text.y + text.height / 2)), `the menu and the name share a middle (${theme})`).toBeLessThanOrEqual(4);
      expect(card.x + card.width - (button.x + button.width), `the menu at the card's right edge (${theme})`).toBeLessThanOrEqual(16);
      expect(text.x + text.width, `the name clear of the menu (${theme})`).toBeLessThanOrEqual(button.x);
      expect(await seriousViolations(page), `/admin/users at 390 px (${theme})`).toEqual([]);
    });
  });

  test("users: filters by role and status; the row menu works by keyboard; Disable asks in a dialog in view", async ({ page }) => {
    const t = tag();
    const [owner, disabled, consumer] = await conn.db
      .insert(users)
      .values([
        { email: `filter-${t}-owner@example.com`, role: "owner" },
        { email: `filter-${t}-disabled@example.com`, disabledAt: new Date() },
        { email: `filter-${t}-consumer@example.com` },
      ])
      .returning();
    if (!owner || !disabled || !consumer) throw new Error("user insert");
    await signInAs(page, "admin@portico.dev", `/admin/users?q=${t}`);
    await expect(page.getByTestId("user-row")).toHaveCount(3);
    // By role: getByLabel of a select in its label reads "Role Any role" (the chosen option is part of the label text).
    await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("owner");
    await page.getByRole("search", { name: "Filter users" }).getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/role=owner/);
    await expect(page.getByTestId("user-row")).toHaveCount(1);
    await expect(userRow(page, owner.email)).toBeVisible();
    await page.goto(`/admin/users?q=${t}&status=disabled`);
    await expect(page.getByTestId("user-row")).toHaveCount(1);
    await expect(userRow(page, disabled.email)).toContainText("Disabled");
    await page.goto(`/admin/users?q=${t}&status=active`);
    await expect(page.getByTestId("user-row")).toHaveCount(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // By keyboard: open the menu, move to Disable…, choose it.
    const trigger = userRow(page, consumer.email).getByRole("button", { name: `Actions for ${consumer.email}` });
    // A press that lands before the page has hydrated is replayed by React, but Radix's listener that
    // marks the opening as by keyboard is not attached yet: the menu opens without focusing its first
    // item (a fresh-clone CI run, 2026-12-03). Close it and press again until the page is React's.
    await expect(async () => {
      if (await page.getByRole("menu").isVisible()) await page.keyboard.press("Escape");
      await trigger.focus();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("menuitem", { name: "Change role…" })).toBeFocused({ timeout: 3_000 });
    }).toPass({ timeout: 40_000 });
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("menuitem", { name: "Disable…" })).toBeFocused();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: `Disable ${consumer.email}` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toBeInViewport({ ratio: 1 });
    const confirm = dialog.getByRole("button", { name: "Disable now" });
    await expect(confirm).toBeInViewport({ ratio: 1 });
    // Destructive: it is the red button, and the only one.
    await expect(confirm).toHaveClass(/bg-red-600/);
    await expect(dialog.getByRole("button", { name: "Cancel" })).not.toHaveClass(/bg-red/);
    expect(await seriousViolations(page), "the Disable dialog at 390 px").toEqual([]);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(trigger).toBeFocused();
    expect((await conn.db.select().from(users).where(eq(users.id, consumer.id)))[0]?.disabledAt).toBeNull();

    // Disabled for real on the unfiltered list (under status=active the row leaves the list once disabled).
    await page.goto(`/admin/users?q=${t}`);
    await (await userMenu(page, consumer.email, "Disable…")).getByRole("button", { name: "Disable now" }).click();
    await expect(userRow(page, consumer.email)).toContainText("Disabled; their sessions have ended.");
    await expect(trigger).toBeFocused();
    expect((await conn.db.select().from(users).where(eq(users.id, consumer.id)))[0]?.disabledAt).toBeInstanceOf(Date);
  });
});

test("the users page pages by its links: Next to the second page, Previous back to the first, none past either end", async ({ page }) => {
  const tag = `paging-${randomBytes(4).toString("hex")}`;
  await conn.db.insert(users).values(Array.from({ length: 53 }, (_, i) => ({ email: `${tag}-${String(i).padStart(2, "0")}@example.com`, name: `Pat ${tag} ${i}` })));
  await signInAs(page, "admin@portico.dev", `/admin/users?q=${tag}`);
  const rows = page.getByTestId("user-row");
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(rows).toHaveCount(50);
  const firstPage = await rows.allTextContents();
  await expect(pages.getByRole("button", { name: "Previous", exact: true })).toBeDisabled();
  await pages.getByRole("link", { name: "Next", exact: true }).click();
  await expect(page).toHaveURL(/[?&]after=/);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${tag}`));
  await expect(rows).toHaveCount(3);
  await expect(pages.getByRole("button", { name: "Next", exact: true })).toBeDisabled();
  await pages.getByRole("link", { name: "Previous", exact: true }).click();
  await expect(page).toHaveURL(/[?&]before=/);
  await expect(page).not.toHaveURL(/[?&]after=/);
  await expect(rows).toHaveCount(50);
  expect(await rows.allTextContents()).toEqual(firstPage);
});
