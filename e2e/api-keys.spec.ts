import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { products, users } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { rememberSecret } from "./keys-helpers";
import { seriousViolations } from "./helpers-products";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());


async function newUser(role: "admin" | "owner") {
  const email = `api-keys-${role}-${randomBytes(4).toString("hex")}@example.com`;
  await conn.db.insert(users).values({ email, name: `API keys ${role}`, role });
  return email;
}

async function productId(slug: string) {
  const [p] = await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, slug));
  if (!p) throw new Error(`no product ${slug}`);
  return p.id;
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
async function productIds(request: APIRequestContext, token: string) {
  const res = await request.get("/api/v1/products", bearer(token));
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((p) => p.id);
}

test("an admin adds a Product approver key, sees its token once, and Edit and Remove take effect at the next call", async ({ page, request }) => {
  const payments = await productId("payments");
  const invoices = await productId("invoices");
  const name = `Billing sync ${randomBytes(3).toString("hex")}`;
  await signInAs(page, await newUser("admin"), "/admin/api-keys");
  await expect(page.getByRole("heading", { level: 1, name: "API access keys" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "API access keys" })).toHaveAttribute("aria-current", "page");
  expect(await seriousViolations(page), "/admin/api-keys").toEqual([]);

  await page.getByRole("link", { name: "Add access key" }).click();
  await expect(page).toHaveURL(/\/admin\/api-keys\/new$/);
  const add = page.getByRole("button", { name: "Add access key" });
  // The form's controls are React's once it has hydrated (the button waits for it).
  await expect(add).toBeEnabled();
  await expect(page.getByLabel("Expiration")).toHaveValue("6m");
  expect(await seriousViolations(page), "/admin/api-keys/new").toEqual([]);
  await expect(page.getByLabel("Expires after (days)")).toBeHidden();
  await page.getByLabel("Expiration").selectOption("custom");
  await expect(page.getByLabel("Expires after (days)")).toBeVisible();
  await page.getByLabel("Expiration").selectOption("6m");

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Role 1").selectOption({ label: "Product approver" });
  const row = page.getByTestId("role-row").first();
  await expect(row.getByText("Choose at least one product, or All products.")).toBeVisible();
  // No product chosen: refused beside the field, nothing added.
  await add.click();
  await expect(row.getByRole("alert")).toHaveText("Choose at least one product, or All products.");
  await row.getByRole("checkbox", { name: "Payments API", exact: true }).check();
  // Add another role, then take it away again.
  await page.getByRole("button", { name: "Add another role" }).click();
  await expect(page.getByTestId("role-row")).toHaveCount(2);
  await page.getByRole("button", { name: "Remove role 2" }).click();
  await expect(page.getByTestId("role-row")).toHaveCount(1);
  await add.click();

  const dialog = page.getByRole("dialog", { name: "API access key added" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("cannot be shown again");
  await expect(dialog.getByLabel("Name", { exact: true })).toHaveValue(name);
  const token = await dialog.getByLabel("Token", { exact: true }).inputValue();
  rememberSecret(token);
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  await expect(dialog.getByRole("button", { name: "Copy name" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Copy token" })).toBeVisible();
  expect(await seriousViolations(page), "token dialog").toEqual([]);

  // Escape asks first; Go back keeps the token on screen.
  await page.keyboard.press("Escape");
  await expect(dialog.getByText("Have you copied the token?")).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Go back" })).toBeFocused();
  await dialog.getByRole("button", { name: "Go back" }).click();
  await expect(dialog.getByText("Have you copied the token?")).toBeHidden();
  await expect(dialog.getByLabel("Token", { exact: true })).toHaveValue(token);
  // A click outside asks too.
  await page.mouse.click(5, 5);
  await expect(dialog.getByText("Have you copied the token?")).toBeVisible();
  await dialog.getByRole("button", { name: "Go back" }).click();
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/admin\/api-keys$/);

  // The token is nowhere but in the Add response: not the URL, a cookie, the database or an email.
  expect(page.url()).not.toContain(token);
  expect((await page.context().cookies()).some((c) => c.value.includes(token))).toBe(false);
  const [stored] = await conn.sql`select k::text as row from api_access_keys k where name = ${name}`;
  expect(stored?.row).toBeTruthy();
  expect(String(stored?.row)).not.toContain(token);
  const [leaks] = await conn.sql`select
      (select count(*)::int from email_messages m where m::text like ${`%${token}%`}) as emails,
      (select count(*)::int from audit_events a where a::text like ${`%${token}%`}) as audit`;
  expect(leaks).toEqual({ emails: 0, audit: 0 });

  const listed = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(listed).toContainText("Product approver: Payments API");
  await expect(listed).toContainText("Never");

  // The token works, for its product only.
  expect(await productIds(request, token)).toEqual([payments]);
  expect((await request.get(`/api/v1/products/${payments}`, bearer(token))).status()).toBe(200);
  expect((await request.get(`/api/v1/products/${invoices}`, bearer(token))).status()).toBe(404);

  // Edit: Invoices instead of Payments; the next call sees it. Name and expiry are read-only.
  await listed.getByRole("link", { name: `Edit ${name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save roles" })).toBeEnabled();
  expect(await seriousViolations(page), "the key's page").toEqual([]);
  const editRow = page.getByTestId("role-row").first();
  await expect(editRow.getByRole("checkbox", { name: "Payments API", exact: true })).toBeChecked();
  await editRow.getByRole("checkbox", { name: "Payments API", exact: true }).uncheck();
  await editRow.getByRole("checkbox", { name: "Invoices API", exact: true }).check();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  expect(await productIds(request, token)).toEqual([invoices]);
  expect((await request.get(`/api/v1/products/${payments}`, bearer(token))).status()).toBe(404);

  // Remove asks first; Cancel keeps the key.
  await page.getByRole("button", { name: `Remove ${name}` }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  expect((await request.get("/api/v1/products", bearer(token))).status()).toBe(200);
  await page.getByRole("button", { name: `Remove ${name}` }).click();
  await page.getByRole("button", { name: "Remove now" }).click();
  await expect(page.getByTestId("removed-badge")).toBeVisible();
  const refused = await request.get("/api/v1/products", bearer(token));
  expect(refused.status()).toBe(401);

  // The key's page lists what happened to it, newest first.
  await page.reload();
  const events = page.getByTestId("api-key-event");
  await expect(events.first()).toContainText("api_access_key.removed");
  await expect(events).toContainText(["api_access_key.removed", "api_access_key.updated", "api_access_key.created"]);
  // Gone from the list.
  await page.goto("/admin/api-keys");
  await expect(page.getByTestId("api-key-row").filter({ hasText: name })).toHaveCount(0);

  const log = fs.existsSync(".data/e2e-server.log") ? fs.readFileSync(".data/e2e-server.log", "utf8") : "";
  expect(log.includes(token)).toBe(false);
});

test("the list fits a 390 px phone, and the Add form refuses a name in use, whatever its case", async ({ page }) => {
  const name = `CI publisher ${randomBytes(3).toString("hex")}`;
  await signInAs(page, await newUser("admin"), "/admin/api-keys/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Role 1").selectOption({ label: "Portal viewer" });
  await page.getByRole("button", { name: "Add access key" }).click();
  const dialog = page.getByRole("dialog", { name: "API access key added" });
  rememberSecret(await dialog.getByLabel("Token", { exact: true }).inputValue());
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(page).toHaveURL(/\/admin\/api-keys$/);

  await page.goto("/admin/api-keys/new");
  await expect(page.getByRole("button", { name: "Add access key" })).toBeEnabled();
  await page.getByLabel("Name", { exact: true }).fill(name.toUpperCase());
  await page.getByLabel("Role 1").selectOption({ label: "Portal viewer" });
  await page.getByRole("button", { name: "Add access key" }).click();
  await expect(page.locator("#name-error")).toContainText("An API access key with this name exists");
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/admin/api-keys");
  // A card per key, with both buttons in view (no sideways scrolling to reach them).
  const card = page.getByTestId("api-key-card").filter({ hasText: name });
  await expect(card).toBeVisible();
  await expect(card).toContainText("Portal viewer");
  for (const button of [card.getByRole("link", { name: `Edit ${name}` }), card.getByRole("button", { name: `Remove ${name}` })]) {
    const box = await button.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  }
  expect(await seriousViolations(page), "/admin/api-keys on a phone").toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.goto("/admin/api-keys/new");
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
});

test("an owner gets the 403 page at /admin/api-keys and sees no link to it", async ({ page }) => {
  await signInAs(page, await newUser("owner"));
  expect((await page.goto("/admin/api-keys"))?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  expect((await page.goto("/admin/api-keys/new"))?.status()).toBe(403);
  await page.goto("/admin");
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "API access keys" })).toHaveCount(0);
});
