import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { pendingRequest } from "./keys-helpers";
import { referenceOperation, seriousViolations } from "./helpers-products";
import { inBothThemes } from "./helpers-theme";


test("catalogue, product, cart and My requests have no serious or critical axe violations, in light and dark", async ({ page }) => {
  await page.goto("/apis");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/apis (${theme})`).toEqual([]));
  // Control: the check does see a real problem (an unlabelled button is a critical violation).
  await page.evaluate(() => document.body.append(document.createElement("button")));
  expect((await seriousViolations(page)).join()).toContain("button-name");
  // Control: a scan outside inBothThemes checks dark too, and says a problem only dark has is dark's.
  await page.evaluate(() => {
    // The page in light (inBothThemes left it in dark, the cookie at light), with a paragraph that is
    // dark grey on near-black (about 2:1) in dark only.
    document.documentElement.dataset.theme = "light";
    const style = document.createElement("style");
    style.textContent = '[data-theme="dark"] #dark-only { color: #52525b; background: #18181b; }';
    const p = document.createElement("p");
    p.id = "dark-only";
    p.textContent = "Seen in light only";
    document.body.append(style, p);
  });
  const both = await seriousViolations(page);
  expect(both.filter((v) => v.includes("#dark-only"))).toEqual([expect.stringMatching(/^\(dark\) color-contrast/)]);
  expect(await page.evaluate(() => document.documentElement.dataset.theme), "the theme put back").toBe("light");
  await page.goto("/apis/payments");
  await inBothThemes(page, async (theme) => {
    // The API reference is mounted again in the new theme: scan it once it has rendered.
    await referenceOperation(page, "List charges");
    expect(await seriousViolations(page), `/apis/payments (${theme})`).toEqual([]);
  });

  await signInAs(page, `a11y-${randomBytes(4).toString("hex")}@example.com`, "/apis/payments");
  await page.getByRole("button", { name: "Access with the Standard plan" }).click();
  await expect(page.getByText("Payments API (Standard) is in your cart.")).toBeVisible();
  await page.goto("/cart");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/cart (${theme})`).toEqual([]));
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByLabel("New app name").fill("A11y app");
  await page.getByLabel("Why do you need access?").fill("Checking accessibility.");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}/);
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `request page (${theme})`).toEqual([]));
  await page.goto("/requests");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/requests (${theme})`).toEqual([]));
});

test("the approval queue, its detail panel, keys, reviews and the plan and product forms have no serious or critical axe violations, in light and dark", async ({ page }) => {
  // A pending request of its own, so the detail panel is always checked (not only when some other
  // spec happened to leave one in the queue).
  const conn = e2eDb();
  await pendingRequest(conn, "payments").finally(() => conn.sql.end());
  await signInAs(page, "owner@portico.dev", "/admin/requests");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/requests (${theme})`).toEqual([]));
  await page.getByTestId("queue-row").first().getByRole("link").first().click();
  await expect(page.getByRole("region", { name: "Request details" })).toBeVisible();
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `queue detail panel (${theme})`).toEqual([]));
  await page.goto("/admin/keys");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/keys (${theme})`).toEqual([]));
  await page.goto("/admin/reviews");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/reviews (${theme})`).toEqual([]));
  await page.goto("/admin/plans/new");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/plans/new (${theme})`).toEqual([]));
  await page.goto("/admin/products/new");
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/products/new (${theme})`).toEqual([]));
});

test("home, sign-in and the search palette have no serious or critical axe violations, in light and dark", async ({ page }) => {
  test.setTimeout(180_000);
  for (const path of ["/", "/signin"]) {
    await page.goto(path);
    await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `${path} (${theme})`).toEqual([]));
  }
  await page.goto("/apis");
  await inBothThemes(page, async (theme) => {
    await page.keyboard.press("Control+k");
    await page.keyboard.type("pay");
    await expect(page.getByRole("option").first()).toBeVisible();
    expect(await seriousViolations(page), `search palette (${theme})`).toEqual([]);
    await page.keyboard.press("Escape");
  });
});

// Ten admin pages, each reloaded and scanned by axe in both themes, in two tests: all in one took
// over five minutes on a loaded machine.
const ADMIN_PAGES = ["/admin", "/admin/users", "/admin/audit", "/admin/api-keys", "/admin/webhooks", "/admin/security", "/admin/settings/emails", "/admin/branding", "/account/security", "/apps"];
for (const paths of [ADMIN_PAGES.slice(0, 5), ADMIN_PAGES.slice(5)]) {
  test(`the admin's ${paths.join(", ")} have no serious or critical axe violations, in light and dark`, async ({ page }) => {
    test.setTimeout(240_000);
    await signInAs(page, "admin@portico.dev");
    for (const path of paths) {
      await page.goto(path);
      await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `${path} (${theme})`).toEqual([]));
    }
  });
}
