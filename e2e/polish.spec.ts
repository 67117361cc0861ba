import { randomBytes } from "node:crypto";
import { expect, type Locator, test } from "@playwright/test";
import { apps, users } from "../db/schema";
import { eq } from "drizzle-orm";
import { createApiAccessKey } from "../lib/api-access/manage";
import { decideRequests } from "../lib/requests/decide-requests";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { inBothThemes } from "./helpers-theme";
import { BASE_URL, approvedRequest, claimFromMailbox, pendingRequest, rememberSecret } from "./keys-helpers";

/**
 * Small things that make the portal look finished, found by walking it as a new user would: each
 * test failed on the code before its fix.
 */

const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");

async function seedUser(role: "consumer" | "owner" | "admin", prefix: string) {
  const email = `polish-${prefix}-${tag()}@example.com`;
  const [u] = await conn.db.insert(users).values({ email, name: `Polish ${prefix}`, role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  return u;
}

/** The left and right edges of an element's own text (not of its box). */
async function textEdges(element: Locator) {
  return element.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    return { left: r.left, right: r.right };
  });
}

test("a button that starts a destructive action is red wherever it is: Delete app, Revoke (keys page and the queue's panel), Remove an API access key, Archive a product", async ({ page }) => {
  const red = /\bbg-red-600\b/;

  const consumer = await seedUser("consumer", "app");
  const [app] = await conn.db.insert(apps).values({ ownerId: consumer.id, name: `Polish app ${tag()}` }).returning();
  if (!app) throw new Error("app insert");
  await signInAs(page, consumer.email, `/apps/${app.id}`);
  await expect(page.getByRole("button", { name: "Delete app…" })).toHaveClass(red);
  // Nothing else on the page is: saving the app's details is not destructive.
  await expect(page.getByRole("button", { name: "Save changes" })).not.toHaveClass(red);

  const request = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, request.email);
  await page.context().clearCookies();
  const admin = await seedUser("admin", "revoke");
  await signInAs(page, admin.email, `/admin/keys?q=${encodeURIComponent(request.email)}`);
  await expect(page.getByRole("button", { name: `Revoke ${key.slice(0, 8)}…` })).toHaveClass(red);
  await expect(page.getByRole("button", { name: "Apply filters" })).not.toHaveClass(red);

  await page.goto(`/admin/requests?status=all&open=${request.requestId}`);
  await expect(page.getByRole("button", { name: "Revoke access" })).toHaveClass(red);

  const name = `Polish key ${tag()}`;
  const { token } = await createApiAccessKey(conn.db, { kind: "user", id: admin.id, role: "admin", disabled: false }, { name, expiry: "90d", roles: [{ role: "portal_viewer" }], issuer: BASE_URL });
  rememberSecret(token);
  await page.goto("/admin/api-keys");
  await expect(page.getByRole("button", { name: `Remove ${name}` }).first()).toHaveClass(red);
  await expect(page.getByRole("link", { name: `Edit ${name}` }).first()).not.toHaveClass(red);

  // Archive stops a product's keys (its step's Archive now is red); Publish and Unpublish do not.
  await page.goto("/admin/products");
  await page.getByRole("link", { name: "Weather API" }).click();
  await expect(page.getByRole("button", { name: "Archive", exact: true })).toHaveClass(red);
  await expect(page.getByRole("button", { name: "Unpublish (back to draft)" })).not.toHaveClass(red);
});

test("at 1280 px a column whose cells sit at the right edge has its header there too (Users' Actions)", async ({ page }) => {
  const admin = await seedUser("admin", "align");
  await signInAs(page, admin.email, `/admin/users?q=${encodeURIComponent(admin.email)}`);
  const header = page.getByRole("columnheader", { name: "Actions" });
  const menu = page.getByRole("button", { name: `Actions for ${admin.email}` });
  await expect(menu).toBeVisible();
  const headerText = await textEdges(header);
  const button = await menu.boundingBox();
  if (!button) throw new Error("no menu button");
  // The header's words end where the row's menu button ends (both inside the same 12 px padding).
  expect(Math.abs(headerText.right - (button.x + button.width))).toBeLessThanOrEqual(2);
});

test("on a phone the Keys page's Import keys is a button like the others: its words centred in its full-width box", async ({ page }) => {
  const admin = await seedUser("admin", "import");
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, admin.email, "/admin/keys");
  const importKeys = page.getByRole("link", { name: "Import keys" });
  const box = await importKeys.boundingBox();
  if (!box) throw new Error("no Import keys");
  const text = await textEdges(importKeys);
  expect(Math.abs((text.left + text.right) / 2 - (box.x + box.width / 2))).toBeLessThanOrEqual(2);
  // Drawn as the secondary button is elsewhere (New plan, Edit): the same class list, the same look in dark.
  await expect(importKeys).toHaveClass(/\bdark:bg-zinc-900\b/);
});

test("the header's links say where you are: the section's link is marked current, and looks it", async ({ page }) => {
  const admin = await seedUser("admin", "nav");
  const nav = page.getByRole("navigation", { name: "Main" });
  const cases: [string, string][] = [
    ["/apis/payments", "APIs"],
    ["/apps", "Apps"],
    ["/requests", "My requests"],
    ["/admin/users", "Admin"],
  ];
  await signInAs(page, admin.email);
  for (const [path, current] of cases) {
    await page.goto(path);
    const link = nav.getByRole("link", { name: current, exact: true });
    // "page" where the link leads to this page, "true" on a page inside its section.
    await expect(link, path).toHaveAttribute("aria-current", path === (await link.getAttribute("href")) ? "page" : "true");
    await expect(nav.locator("[aria-current]"), path).toHaveCount(1);
    const other = nav.getByRole("link", { name: current === "APIs" ? "Apps" : "APIs", exact: true });
    const look = (l: Locator) =>
      l.evaluate((el) => ({ color: getComputedStyle(el).color, weight: getComputedStyle(el).fontWeight, line: getComputedStyle(el).textDecorationLine }));
    await inBothThemes(page, async (theme) => {
      const [mine, theirs] = [await look(link), await look(other)];
      // Darker and underlined; the same weight, so marking it moves nothing (e2e/polish-adversary.spec.ts).
      expect(mine.color, `${path} (${theme}): the current link's colour`).not.toBe(theirs.color);
      expect(mine.line, `${path} (${theme}): the current link is underlined`).toContain("underline");
      expect(theirs.line, `${path} (${theme}): another link is not`).not.toContain("underline");
      expect(mine.weight, `${path} (${theme}): the current link's weight`).toBe(theirs.weight);
    });
  }
  await page.goto("/cart");
  await expect(page.getByTestId("cart-link")).toHaveAttribute("aria-current", "page");
  await expect(nav.locator("[aria-current]")).toHaveCount(0);
  await page.goto("/");
  await expect(nav.locator("[aria-current]")).toHaveCount(0);
});

// The bar held the desktop's links from 640 px (Tailwind's sm), where an admin's (APIs, Apps, My
// requests, Admin, Dev mailbox, Cart, account, search, theme) need about 1000: from 640 to 750 px
// they wrapped into two or three rows, 153–229 px tall.
test("the header is one row at every width from 320 to 1440 px, signed out and for a consumer, an owner and an admin", async ({ page }) => {
  const widths = [320, 375, 640, 700, 768, 900, 1024, 1280, 1440];
  const tall: string[] = [];
  const measure = async (who: string) => {
    // A page inside a section: its link is underlined, as it is wherever the header is used most.
    await page.goto("/apis/payments");
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      const height = Math.round((await page.getByTestId("site-header").boundingBox())?.height ?? 0);
      // One row is 57 px (the 32 px controls and the bar's padding); a second row adds at least 44.
      if (height > 70) tall.push(`${who} at ${width} px: ${height} px`);
    }
  };
  await measure("signed out");
  for (const role of ["consumer", "owner", "admin"] as const) {
    await signInAs(page, (await seedUser(role, "header-row")).email);
    await measure(role);
    await page.context().clearCookies();
  }
  expect(tall).toEqual([]);
});

test("on a phone a table's card leaves out a line with nothing in it: no bare Comment in the audit log, no bare Actions on a revoked key", async ({ page }) => {
  const admin = await seedUser("admin", "cards");
  const request = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, request.email);
  await page.context().clearCookies();
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, admin.email, `/admin/keys?q=${encodeURIComponent(request.email)}`);
  await page.getByRole("button", { name: `Revoke ${key.slice(0, 8)}…` }).click();
  await page.getByLabel("Why? The requester is emailed this.").fill("Card check.");
  await page.getByRole("button", { name: "Revoke now" }).click();
  const card = page.getByTestId("admin-key").first();
  await expect(card).toContainText("Revoked: “Card check.”");
  await expect(card.getByText("Actions", { exact: true })).toBeHidden();

  // The revocation (by the admin) has its reason as a comment; the requester's own events (app
  // created, request submitted, key claimed) have none.
  const rows = page.getByTestId("audit-row");
  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.email)}`);
  await expect(rows.filter({ hasText: "Card check." }).first().getByText("Comment", { exact: true })).toBeVisible();
  await page.goto(`/admin/audit?actor=${encodeURIComponent(request.email)}`);
  await expect(rows.first()).toBeVisible();
  await expect(rows.getByText("Comment", { exact: true })).toHaveCount(await rows.count());
  for (const label of await rows.getByText("Comment", { exact: true }).all()) await expect(label).toBeHidden();
});

test("the queue's panel does not repeat a denied request's product on a line of its own: the products' line shows only when it says where a product stands", async ({ page }) => {
  const request = await pendingRequest(conn, "payments");
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [request.requestId], decision: "deny", comment: "Not for this use.", baseUrl: BASE_URL });
  await signInAs(page, "owner@portico.dev", `/admin/requests?status=all&open=${request.requestId}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel.getByRole("heading", { name: "Payments API" })).toBeVisible();
  await expect(panel.getByText("Denied").first()).toBeVisible();
  // Before, a line below the badge said "Payments API" and nothing else.
  await expect(panel.getByTestId("request-parts")).toHaveCount(0);

  // A pending one still says it waits for its owner.
  const waiting = await pendingRequest(conn, "payments");
  await page.goto(`/admin/requests?open=${waiting.requestId}`);
  await expect(panel.getByTestId("request-parts")).toHaveText("Payments API: waiting for its owner");
});
