import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { recordErrors } from "./console-errors";
import { signInAs } from "./helpers";

/**
 * Every page, as each kind of visitor, logs no console error and throws no page error (issue 18).
 * Pages a role may not open (a 403/404 the browser logs as a failed load) are left out on purpose.
 */
const pages = {
  visitor: ["/", "/apis", "/apis/payments", "/catalogue-search?q=pay", "/signin", "/cart", "/docs/api"],
  consumer: ["/", "/apis", "/apis/payments", "/cart", "/apps", "/requests", "/account/security"],
  owner: ["/admin", "/admin/requests", "/admin/reviews", "/admin/keys", "/admin/products", "/admin/products/new", "/admin/plans", "/admin/plans/new"],
  admin: [
    "/admin",
    "/admin/requests",
    "/admin/users",
    "/admin/audit",
    "/admin/keys",
    "/admin/keys/import",
    "/admin/api-keys",
    "/admin/api-keys/new",
    "/admin/webhooks",
    "/admin/webhooks/new",
    "/admin/security",
    "/admin/emails",
    "/admin/settings/emails",
    "/admin/branding",
  ],
} as const;

async function visitAll(page: Page, paths: readonly string[], errors: string[]) {
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(400);
    await page.waitForLoadState("networkidle");
  }
  expect(errors).toEqual([]);
}

test("no console error or page error on any page, signed out", async ({ page }) => {
  const errors = recordErrors(page);
  await visitAll(page, pages.visitor, errors);
  // Control: the check does hear an error.
  await page.evaluate(() => console.error("control"));
  expect(errors).toHaveLength(1);
});

test("no console error or page error on any page, as a consumer", async ({ page }) => {
  await signInAs(page, `console-${randomBytes(4).toString("hex")}@example.com`);
  await visitAll(page, pages.consumer, recordErrors(page));
});

test("no console error or page error on any page, as an owner", async ({ page }) => {
  await signInAs(page, "owner@portico.dev");
  await visitAll(page, pages.owner, recordErrors(page));
});

test("no console error or page error on any page, as an admin", async ({ page }) => {
  await signInAs(page, "admin@portico.dev");
  await visitAll(page, pages.admin, recordErrors(page));
});
