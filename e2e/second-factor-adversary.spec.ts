import { expect, test } from "@playwright/test";
import { signInByLink } from "./helpers";

/**
 * Adversarial review of issue 15: the session cookie is httpOnly so that a script on the page cannot
 * carry a (stepped-up) session away. Auth.js's own session endpoint must not hand its value out.
 */
test("GET /api/auth/session answers who is signed in, never the session token or its step-up time", async ({ page }) => {
  await signInByLink(page, "owner@portico.dev");
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  expect(cookie?.httpOnly).toBe(true);
  const token = cookie?.value ?? "missing";
  // what a script on the page could fetch with the browser's cookies
  const body = await page.evaluate(async () => (await fetch("/api/auth/session")).text());
  expect(JSON.parse(body)).toMatchObject({ user: { email: "owner@portico.dev", role: "owner", disabled: false } });
  expect(body).not.toContain(token);
  expect(body).not.toContain("steppedUpAt");
  expect(body).not.toContain("sessionToken");
  // the pages still know who is signed in (auth() reads the same payload on the server)
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin portal" })).toBeVisible();
});
