import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { signInAs } from "./helpers";

/** Every /api/session request the page makes from now on. */
function sessionRequests(page: Page) {
  const seen: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/session") seen.push(r.url());
  });
  return seen;
}

async function headerBoxes(page: Page) {
  return page.evaluate(() =>
    ["header", "#site-menu-links", "#site-menu-account", '[data-testid="cart-link"]'].map((selector) => {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      return box ? { selector, x: box.x, y: box.y, width: box.width, height: box.height } : { selector, missing: true };
    }),
  );
}

test("the header arrives rendered with the session: nothing moves after load and no /api/session request", async ({ page }) => {
  const requests = sessionRequests(page);
  for (const path of ["/", "/apis", "/apis/payments"]) {
    await page.goto(path, { waitUntil: "domcontentloaded" });
    const atFirst = await headerBoxes(page);
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(await headerBoxes(page), `${path} signed out`).toEqual(atFirst);
  }

  await signInAs(page, "owner@portico.dev");
  requests.length = 0;
  for (const path of ["/apis", "/requests", "/admin"]) {
    await page.goto(path, { waitUntil: "domcontentloaded" });
    // In the HTML itself, before any script ran: who is signed in and the role's links.
    expect(await page.locator('[data-testid="signed-in-as"]').textContent(), path).toContain("Omar Owner");
    expect(await page.locator("#site-menu-links").getByRole("link", { name: "Admin" }).count(), path).toBe(1);
    const atFirst = await headerBoxes(page);
    await page.waitForLoadState("networkidle");
    expect(await headerBoxes(page), `${path} signed in`).toEqual(atFirst);
  }
  expect(requests, "no /api/session request on load").toEqual([]);
});

test("Add to cart updates the header's count without asking /api/session", async ({ page }) => {
  await signInAs(page, `shell-cart-${randomBytes(4).toString("hex")}@example.com`);
  await page.goto("/apis/payments");
  await expect(page.getByTestId("cart-count")).toHaveCount(0);
  const requests = sessionRequests(page);
  await page.getByRole("button", { name: "Access with the Standard plan" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(requests).toEqual([]);
});

test("theme: System follows the device, a choice made by keyboard applies at once and survives a reload", async ({ page }) => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/apis");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
  const dark = await background();
  await page.emulateMedia({ colorScheme: "light" });
  const light = await background();
  expect(dark).not.toEqual(light);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background()).toEqual(dark);

  // Keyboard only: focus the switcher, open it, pick Light.
  const switcher = page.getByTestId("theme-switcher");
  await switcher.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await expect(menu.getByRole("menuitemradio", { name: "System" })).toHaveAttribute("aria-checked", "true");
  await menu.getByRole("menuitemradio", { name: "Light" }).focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveCount(0);
  await expect(switcher).toBeFocused();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await background(), "Light although the device prefers dark").toEqual(light);

  // Kept across a reload, in the server's HTML: the first paint is already light (no flash).
  const response = await page.reload();
  expect(await response?.text()).toMatch(/<html[^>]*data-theme="light"/);
  expect(await background()).toEqual(light);
  await expect(switcher).toHaveAccessibleName("Theme: Light");

  // Dark, then back to System, which follows the device again.
  await switcher.click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.emulateMedia({ colorScheme: "light" });
  expect(await background(), "Dark although the device prefers light").toEqual(dark);
  await switcher.click();
  await page.getByRole("menuitemradio", { name: "System" }).click();
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
  expect(await background()).toEqual(light);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background()).toEqual(dark);
});
