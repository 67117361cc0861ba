import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { pendingRequest } from "./keys-helpers";
import { seriousViolations } from "./helpers-products";


test("catalogue, product, cart and My requests have no serious or critical axe violations", async ({ page }) => {
  await page.goto("/apis");
  expect(await seriousViolations(page), "/apis").toEqual([]);
  // Control: the check does see a real problem (an unlabelled button is a critical violation).
  await page.evaluate(() => document.body.append(document.createElement("button")));
  expect((await seriousViolations(page)).join()).toContain("button-name");
  await page.goto("/apis/payments");
  expect(await seriousViolations(page), "/apis/payments").toEqual([]);

  await signInAs(page, `a11y-${randomBytes(4).toString("hex")}@example.com`);
  await page.goto("/apis/payments");
  await page.getByRole("button", { name: "Access with the Standard plan" }).click();
  await expect(page.getByText("Payments API (Standard) is in your cart.")).toBeVisible();
  await page.goto("/cart");
  expect(await seriousViolations(page), "/cart").toEqual([]);
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByLabel("New app name").fill("A11y app");
  await page.getByLabel("Why do you need access?").fill("Checking accessibility.");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}/);
  expect(await seriousViolations(page), "request page").toEqual([]);
  await page.goto("/requests");
  expect(await seriousViolations(page), "/requests").toEqual([]);
});

test("the approval queue, its detail panel, keys, reviews and the plan and product forms have no serious or critical axe violations", async ({ page }) => {
  // A pending request of its own, so the detail panel is always checked (not only when some other
  // spec happened to leave one in the queue).
  const conn = e2eDb();
  await pendingRequest(conn, "payments").finally(() => conn.sql.end());
  await signInAs(page, "owner@portico.dev");
  await page.goto("/admin/requests");
  expect(await seriousViolations(page), "/admin/requests").toEqual([]);
  await page.getByTestId("queue-row").first().getByRole("link").first().click();
  await expect(page.getByRole("region", { name: "Request details" })).toBeVisible();
  expect(await seriousViolations(page), "queue detail panel").toEqual([]);
  await page.goto("/admin/keys");
  expect(await seriousViolations(page), "/admin/keys").toEqual([]);
  await page.goto("/admin/reviews");
  expect(await seriousViolations(page), "/admin/reviews").toEqual([]);
  await page.goto("/admin/plans/new");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(await seriousViolations(page), "/admin/plans/new").toEqual([]);
  await page.goto("/admin/products/new");
  expect(await seriousViolations(page), "/admin/products/new").toEqual([]);
});
