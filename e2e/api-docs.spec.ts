import { expect, test, type Page } from "@playwright/test";
import { referenceOperation, seriousViolations } from "./helpers-products";

/** CSP violations and console errors that name the policy, in every frame. */
async function watchCsp(page: Page) {
  const violations: string[] = [];
  await page.exposeFunction("__reportCsp", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI} on ${location.pathname}`);
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test("/docs/api renders the portal's own OpenAPI document, linked from the footer, under the CSP and without serious axe violations", async ({ page }) => {
  const violations = await watchCsp(page);
  const documentLoads: number[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/openapi.json") documentLoads.push(r.status());
  });

  await page.goto("/apis");
  await page.getByRole("contentinfo").getByRole("link", { name: "Portal API reference" }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole("heading", { level: 1, name: "Portal API reference" })).toBeVisible();

  // The reference is Scalar's, fed with /api/v1/openapi.json: the document's title and an operation.
  const reference = page.getByTestId("api-reference");
  await expect(reference.getByText("Portico portal API").first()).toBeVisible({ timeout: 30_000 });
  await expect(reference.getByText("List products").first()).toBeVisible();
  // ...and the events the portal posts to webhook endpoints, published beside it as OpenAPI `webhooks`
  // under a Webhooks tag that explains signing, at-least-once delivery and the retry schedule
  // (Scalar renders the sections further down as they are scrolled to).
  await expect(async () => {
    await reference.hover();
    await page.mouse.wheel(0, 20_000);
    await expect(reference.getByRole("heading", { name: "Webhooks", level: 2 })).toBeAttached({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(reference.getByText("Delivery is at least once")).toBeAttached();
  expect(documentLoads).toContain(200);
  // Public: nobody signed in, and the page answered itself (no redirect to sign-in).
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);

  expect(await seriousViolations(page)).toEqual([]);
  expect(violations).toEqual([]);
});

test("a product's API reference follows the theme picked in the header, with no reload", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/apis/payments");
  await referenceOperation(page, "List charges");
  // Scalar marks its colour mode on <body>; its text colours hang off that class.
  await expect(page.locator("body")).toHaveClass(/\blight-mode\b/);

  await page.getByTestId("theme-switcher").click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  // It used to keep light-mode here: dark grey text on the portal's dark page.
  await expect(page.locator("body")).toHaveClass(/\bdark-mode\b/);
  await expect(page.locator("body")).not.toHaveClass(/\blight-mode\b/);
  await referenceOperation(page, "List charges");
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByTestId("theme-switcher").click();
  await page.getByRole("menuitemradio", { name: "Light" }).click();
  await expect(page.locator("body")).toHaveClass(/\blight-mode\b/);
  await expect(page.locator("body")).not.toHaveClass(/\bdark-mode\b/);

  // System: the reference follows the device when it changes its mind.
  await page.getByTestId("theme-switcher").click();
  await page.getByRole("menuitemradio", { name: "System" }).click();
  await expect(page.locator("body")).toHaveClass(/\blight-mode\b/);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("body")).toHaveClass(/\bdark-mode\b/);
  await expect(page.locator("body")).not.toHaveClass(/\blight-mode\b/);
});
