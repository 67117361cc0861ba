import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { signInAs, toast } from "./helpers";
import { pendingRequest } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

// Each action below disables (or removes) the button that ran it; a keyboard user's focus must land
// somewhere that says what happened, never on <body> (the walk of issue 18 found all three there).

test("keyboard only: Add to cart keeps focus on its button, and Submit request lands on the note that says what happened", async ({ page }) => {
  await signInAs(page, `focus-${randomBytes(4).toString("hex")}@example.com`, "/apis/payments");
  const add = page.getByRole("button", { name: "Access with the Standard plan" });
  await add.focus();
  await page.keyboard.press("Enter");
  // A toast says what was added (the plan's own line may be below the screen's edge); the line links to the cart.
  await expect(toast(page, "Payments API (Standard) is in your cart.")).toBeVisible();
  await expect(page.getByRole("link", { name: "View cart" })).toBeVisible();
  await expect(add).toBeFocused();

  await page.goto("/cart");
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByLabel("New app name").fill("Focus app");
  await page.getByLabel("Why do you need access?").fill("Checking where focus goes.");
  await page.getByRole("button", { name: "Submit request" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  const note = page.getByText("Request submitted. The API owners have been notified");
  await expect(note).toBeVisible();
  await expect(note).toBeFocused();
  // Said once: the flag leaves the address, so a reload shows the request without the note.
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Payments API" })).toBeVisible();
  await expect(note).toHaveCount(0);
});

test("keyboard only: Approve in the queue's panel moves focus to the panel's heading, which then shows the request approved", async ({ page }) => {
  const { requestId } = await pendingRequest(conn, "payments");

  await signInAs(page, "owner@portico.dev", `/admin/requests?status=all&open=${requestId}`);
  const panel = page.getByRole("region", { name: "Request details" });
  const heading = panel.getByRole("heading", { level: 2 });
  await expect(heading).toBeFocused();
  await panel.getByRole("button", { name: "Approve" }).focus();
  await page.keyboard.press("Enter");
  await expect(panel.locator("[data-status]").first()).toHaveAttribute("data-status", /approved|available/);
  await expect(panel.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(heading).toBeFocused();
});

test("keyboard only: Remove in the cart says what left, and focus goes to the line that took its place, the one before, then the heading", async ({ page }) => {
  await signInAs(page, `cart-focus-${randomBytes(4).toString("hex")}@example.com`, "/apis/payments");
  for (const [slug, name] of [["payments", "Payments API"], ["invoices", "Invoices API"], ["weather", "Weather API"]] as const) {
    await page.goto(`/apis/${slug}`);
    await page.getByRole("button", { name: "Access with the Standard plan" }).click();
    await expect(toast(page, `${name} (Standard) is in your cart.`)).toBeVisible();
  }
  const remove = (name: string) => page.getByRole("button", { name: `Remove ${name} from the cart` });

  await page.goto("/cart");
  // The middle line: the one after it takes its place and the focus.
  await remove("Invoices API").focus();
  await page.keyboard.press("Enter");
  await expect(toast(page, "Invoices API (Standard) removed from your cart.")).toBeVisible();
  await expect(remove("Weather API")).toBeFocused();
  // The last line: the one before it.
  await page.keyboard.press("Enter");
  await expect(toast(page, "Weather API (Standard) removed from your cart.")).toBeVisible();
  await expect(remove("Payments API")).toBeFocused();
  // The only line: the page's heading.
  await page.keyboard.press("Enter");
  await expect(toast(page, "Payments API (Standard) removed from your cart.")).toBeVisible();
  await expect(page.getByText("Your cart is empty")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeFocused();
});
