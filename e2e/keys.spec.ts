import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { claimLinks } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs, toast } from "./helpers";
import { claimLinkFor, rememberSecret } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

test("golden path: request, approve, claim once, verify, roll with grace, revoke", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const email = `golden-${randomBytes(4).toString("hex")}@example.com`;

  // The consumer asks for Payments API on the Standard plan for a new app.
  await signInAs(page, email, "/apis/payments");
  await page.getByRole("button", { name: "Access with the Standard plan" }).click();
  await expect(page.getByText("Payments API (Standard) is in your cart.")).toBeVisible();
  await page.goto("/cart");
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByLabel("New app name").fill("Golden app");
  await page.getByLabel("Why do you need access?").fill("Taking card payments in the golden path.");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  const requestUrl = page.url().replace(/\?.*$/, "");
  const requestId = requestUrl.slice(requestUrl.lastIndexOf("/") + 1);

  // The owner approves it in the queue.
  await context.clearCookies();
  await signInAs(page, "owner@portico.dev", `/admin/requests?status=all&open=${requestId}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await panel.getByRole("button", { name: "Approve" }).click();
  await expect(panel).toContainText("Approved", { timeout: 10_000 });

  // The claim link in the email: opening it (as a mail scanner would) uses nothing up.
  await context.clearCookies();
  await signInAs(page, email);
  const claimLink = await claimLinkFor(page, email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  expect(claimLink).not.toContain("ptk_");
  expect((await request.head(claimLink)).status()).toBeLessThan(500);
  expect((await request.get(claimLink)).status()).toBe(200);
  const [link] = await conn.db.select().from(claimLinks).where(eq(claimLinks.requestId, requestId));
  expect(link?.usedAt).toBeNull();

  // Confirm: the key is shown once, with Copy, on a no-referrer response (next.config.mjs; Next
  // itself marks every action response no-store, so that header proves nothing about the app).
  await page.goto(claimLink);
  await expect(page.getByRole("heading", { name: "Claim your API key" })).toBeVisible();
  await expect(page.getByText("shown once, on the next screen")).toBeVisible();
  const post = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/claim/"));
  await page.getByRole("button", { name: "Generate key" }).click();
  const response = await post;
  expect(response.headers()["referrer-policy"]).toBe("no-referrer");
  const key = await page.getByTestId("revealed-key").inputValue();
  rememberSecret(key);
  await expect(page.getByText("shown once, on the next screen")).toHaveCount(0);
  expect(key).toMatch(/^ptk_[0-9A-Za-z]{49}$/);
  await page.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  // Reload: the key is gone for good, and the page says what happened.
  await page.reload();
  await expect(page.getByTestId("revealed-key")).toHaveCount(0);
  await expect(page.getByTestId("claim-refusal")).toContainText("already been used");
  expect(await page.content()).not.toContain(key);

  // The key verifies, for its product only.
  const verify = (k: string, product = "payments") =>
    request.get(`/api/v1/keys/verify?product=${product}`, { headers: { Authorization: `Bearer ${k}` } });
  const ok = await verify(key);
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ valid: true, app: { name: "Golden app" }, products: ["payments"] });
  expect(ok.headers()["x-portico-app-name"]).toBe("Golden%20app");
  expect((await verify(key, "weather")).status()).toBe(403);

  // Roll: a new key, shown once; both work during the grace period.
  await page.goto(requestUrl);
  await expect(page.getByTestId("request-status")).toHaveText("Active");
  // Keyboard: the confirmation takes focus on the safe choice; Escape closes it and returns focus.
  await page.getByRole("button", { name: "Roll key" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Keep the current key" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Roll the key" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Roll key" })).toBeFocused();
  await page.getByRole("button", { name: "Roll key" }).click();
  await page.getByRole("button", { name: "Roll the key" }).click();
  const rolled = await page.getByTestId("revealed-key").inputValue();
  rememberSecret(rolled);
  expect(rolled).not.toBe(key);
  expect((await verify(key)).status()).toBe(200);
  expect((await verify(rolled)).status()).toBe(200);
  await page.getByRole("link", { name: "I have saved it: show the updated keys" }).click();
  await expect(page.getByTestId("revealed-key")).toHaveCount(0);
  await expect(page.getByTestId("request-key")).toHaveCount(2);
  await expect(page.getByTestId("request-key").filter({ hasText: "Rolled, still working" })).toHaveCount(1);
  await expect(page.getByText("Key rolled (the old key works until its grace period ends)")).toBeVisible();

  // The owner revokes it: both keys stop at once.
  await context.clearCookies();
  await signInAs(page, "owner@portico.dev");
  // Search finds keys by product name, and a whole pasted key (say, a leaked one) by its hash.
  await page.goto(`/admin/keys?q=${encodeURIComponent("Payments API")}`);
  await expect(page.getByTestId("admin-key").filter({ hasText: email })).toHaveCount(2);
  await page.getByRole("searchbox").fill(rolled);
  await page.getByRole("searchbox").press("Enter");
  await expect(page.getByTestId("admin-key")).toHaveCount(1);
  const row = page.getByTestId("admin-key").filter({ hasText: rolled.slice(0, 8) });
  await row.getByRole("button", { name: /^Revoke/ }).click();
  await expect(row.getByLabel("Why? The requester is emailed this.")).toBeFocused();
  await row.getByLabel("Why? The requester is emailed this.").fill("Rotating all golden keys.");
  await row.getByRole("button", { name: "Revoke now" }).click();
  // The page refreshes: the key shows as revoked, with the reason and no Revoke button.
  await expect(row).toContainText("Revoked: “Rotating all golden keys.”");
  await expect(row.getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
  // Said in a toast: the row's form (and its status line) went with the refresh.
  await expect(toast(page, "the requester has been emailed")).toBeVisible();
  expect((await verify(key)).status()).toBe(401);
  expect((await verify(rolled)).status()).toBe(401);

  // The consumer sees it revoked, with the reason, and the app's key archive tells the story.
  await context.clearCookies();
  await signInAs(page, email, requestUrl);
  await expect(page.getByTestId("request-status")).toHaveText("Revoked");
  await expect(page.getByText("“Rotating all golden keys.”").first()).toBeVisible();
  await page.goto("/apps");
  await page.getByRole("link", { name: "Golden app" }).click();
  const archive = page.getByTestId("archive-key");
  await expect(archive).toHaveCount(2);
  await expect(archive.filter({ hasText: "Revoked" })).toHaveCount(2);
});
