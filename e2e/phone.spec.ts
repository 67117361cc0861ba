import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { sessions, users } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { approvedRequest, claimFromMailbox } from "./keys-helpers";

const phone = { width: 375, height: 740 };

test("on a phone the header is one row: links and account sit behind a Menu button that works by keyboard", async ({ page }) => {
  await signInAs(page, "owner@portico.dev");
  await page.setViewportSize(phone);
  await page.goto("/apis");

  const menu = page.getByRole("button", { name: "Menu" });
  const myRequests = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My requests" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(myRequests).toBeHidden();
  await expect(page.getByTestId("signed-in-as")).toBeHidden();
  await expect(page.getByTestId("cart-link")).toBeVisible();
  // Closed, the header is a single row (Portico, Cart, Menu).
  const closedHeight = (await page.locator("header").boundingBox())?.height ?? 0;
  expect(closedHeight).toBeLessThan(70);

  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(myRequests).toBeVisible();
  // The account is listed in the Menu as it is (who, Account security, Sign out), not behind a
  // second menu to open: the desktop's account button is not shown.
  const account = page.getByTestId("account-section");
  await expect(account).toContainText("Omar Owner");
  await expect(account).toContainText("Owner");
  await expect(account.getByRole("link", { name: "Account security" })).toBeVisible();
  await expect(account.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toBeHidden();
  await expect(account).toBeInViewport({ ratio: 1 });

  // Escape from inside the menu closes it and puts focus back on the button.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "APIs" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();

  // Escape on the button itself closes it too.
  await menu.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await menu.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // Account security and Sign out are reached by Tab from inside the Menu, and Escape from there closes it.
  await menu.click();
  await account.getByRole("link", { name: "Account security" }).focus();
  await page.keyboard.press("Tab");
  await expect(account.getByRole("button", { name: "Sign out" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();

  // Following a link closes the menu.
  await menu.click();
  await myRequests.click();
  await expect(page).toHaveURL(/\/requests$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // No page the owner uses scrolls sideways as a whole (wide tables scroll inside their own box).
  for (const path of ["/", "/apis", "/apis/payments", "/catalogue-search?q=pay", "/docs/api", "/account/security", "/cart", "/requests", "/apps", "/admin", "/admin/requests", "/admin/keys", "/admin/audit", "/admin/reviews", "/admin/emails", "/admin/products", "/admin/plans"]) {
    await page.goto(path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, path).toBeLessThanOrEqual(phone.width);
  }
});

test("on a phone Sign out in the Menu signs out", async ({ page }) => {
  const email = `phone-out-${randomBytes(4).toString("hex")}@example.com`;
  const conn = e2eDb();
  try {
    const [user] = await conn.db.insert(users).values({ email, name: "Pia Phone", emailVerified: new Date() }).returning();
    if (!user) throw new Error("user insert");
    await signInAs(page, email, "/apis");
    await page.setViewportSize(phone);
    await page.getByRole("button", { name: "Menu" }).click();
    const account = page.getByTestId("account-section");
    await expect(account).toContainText("Pia Phone");
    await expect(account).toContainText(email);
    await account.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    expect(await conn.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  } finally {
    await conn.sql.end();
  }
});

test("on a phone the approval queue starts with search and status; the other filters fold away unless set", async ({ page }) => {
  await signInAs(page, "owner@portico.dev");
  await page.setViewportSize(phone);
  await page.goto("/admin/requests");
  const filters = page.getByRole("form", { name: "Filter requests" });
  await expect(filters.getByLabel("Search")).toBeVisible();
  await expect(filters.getByLabel("Status")).toBeVisible();
  await expect(filters.getByLabel("Plan")).toBeHidden();
  await filters.getByRole("button", { name: "More filters" }).click();
  await expect(filters.getByLabel("Plan")).toBeVisible();
  await filters.getByLabel("Requester").fill("consumer@");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/requester=consumer%40/);
  // A filter that is set is never hidden.
  await expect(filters.getByLabel("Requester")).toHaveValue("consumer@");
  await expect(filters.getByRole("button", { name: "Fewer filters" })).toHaveAttribute("aria-expanded", "true");

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/admin/requests");
  await expect(filters.getByLabel("Plan")).toBeVisible();
  await expect(filters.getByRole("button", { name: "More filters" })).toBeHidden();
});

test("on a phone a signed-out visitor sees Sign in without opening the menu", async ({ page }) => {
  await page.setViewportSize(phone);
  await page.goto("/apis");
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Menu" })).toBeVisible();
});

test("on a desktop there is no Menu button: every link is in the bar", async ({ page }) => {
  await page.goto("/apis");
  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "APIs" })).toBeVisible();
});

test("on a phone no admin page scrolls sideways, in light or dark, and the search palette fits", async ({ page }) => {
  await signInAs(page, "admin@portico.dev");
  await page.setViewportSize(phone);
  for (const theme of ["light", "dark"]) {
    await page.context().addCookies([{ name: "portico-theme", value: theme, url: new URL(page.url()).origin }]);
    for (const path of ["/admin", "/admin/users", "/admin/audit", "/admin/keys/import", "/admin/api-keys", "/admin/api-keys/new", "/admin/webhooks", "/admin/webhooks/new", "/admin/security", "/admin/settings/emails", "/admin/branding"]) {
      await page.goto(path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} (${theme})`).toBeLessThanOrEqual(phone.width);
    }
  }
  await page.goto("/apis");
  // The header's Search (the catalogue page has its own Search form button too).
  await page.getByRole("banner").getByRole("button", { name: "Search" }).click();
  const dialog = page.getByRole("dialog", { name: "Search Portico" });
  await page.keyboard.type("pay");
  await expect(dialog.getByRole("option").first()).toBeVisible();
  const box = await dialog.boundingBox();
  expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 999) <= phone.width).toBe(true);
});

test("at 390 px the Revoke confirmation opens in view, on the keys page and in the queue's panel", async ({ page }) => {
  const conn = e2eDb();
  const request = await approvedRequest(conn, "payments").finally(() => conn.sql.end());
  const { key } = await claimFromMailbox(page, request.email);
  await page.context().clearCookies();
  await signInAs(page, "owner@portico.dev");
  await page.setViewportSize({ width: 390, height: 740 });
  const inView = async (where: ReturnType<typeof page.getByTestId>, label: string) => {
    await expect(where.getByLabel("Why? The requester is emailed this."), label).toBeInViewport({ ratio: 1 });
    await expect(where.getByRole("button", { name: "Revoke now" }), label).toBeInViewport({ ratio: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), label).toBeLessThanOrEqual(390);
  };

  await page.goto(`/admin/keys?q=${encodeURIComponent(key.slice(0, 8))}`);
  const row = page.getByTestId("admin-key").filter({ hasText: key.slice(0, 8) });
  await row.getByRole("button", { name: /^Revoke/ }).click();
  await inView(row, "the keys page");
  await row.getByRole("button", { name: "Cancel" }).click();

  await page.goto(`/admin/requests?status=all&open=${request.requestId}`);
  const panel = page.getByTestId("panel-sheet");
  await panel.getByRole("button", { name: "Revoke access" }).click();
  await inView(panel, "the queue's panel");
});
