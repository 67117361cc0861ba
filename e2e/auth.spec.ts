import { expect, test } from "@playwright/test";
import { signInAs } from "./helpers";

test("a consumer signs in through the emailed link and sees their name", async ({ page }) => {
  await signInAs(page, "consumer@portico.dev");
  await expect(page.getByTestId("signed-in-as")).toContainText("Cleo Consumer");
  // Consumers do not get an Admin link, and the page itself refuses them.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("a sign-in link works once", async ({ page, browser }) => {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill("someone-new@example.com");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const { latestLinkFor } = await import("./helpers");
  const link = await latestLinkFor(page, "someone-new@example.com");
  await page.goto(link);
  await expect(page.getByTestId("signed-in-as")).toContainText("someone-new@example.com");

  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(link);
  await expect(second.getByRole("heading", { name: "We could not sign you in" })).toBeVisible();
  await expect(second.getByText("expired or was already used")).toBeVisible();
  await other.close();
});

test("an owner can open the admin portal", async ({ page }) => {
  await signInAs(page, "owner@portico.dev");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Admin portal" })).toBeVisible();
});

test("a malformed email gets a message beside the field", async ({ page }) => {
  await page.goto("/signin");
  for (const bad of ["", "not-an-email", "a@b", `${"x".repeat(300)}@example.com`]) {
    await page.getByLabel("Email address").fill(bad);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.locator("#email-error")).toBeVisible();
    await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");
  }
});

test("anonymous visitors are sent to sign-in from /admin, and /api answers JSON 401", async ({ page, request }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin/);
  const api = await request.get("/api/me");
  expect(api.status()).toBe(401);
  expect(await api.json()).toMatchObject({ error: { code: "unauthenticated" } });
});

test("a tampered session cookie is treated as signed out", async ({ page, context, baseURL }) => {
  await signInAs(page, "consumer@portico.dev");
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name.endsWith("authjs.session-token"));
  expect(session).toBeTruthy();
  if (!session) return;
  await context.addCookies([{ ...session, value: `${session.value.slice(0, -4)}abcd` }]);
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  const me = await page.request.get(`${baseURL}/api/me`);
  expect(me.status()).toBe(401);
});
