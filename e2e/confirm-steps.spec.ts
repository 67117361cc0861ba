import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { apps, plans, productPlans, products, secondFactors, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { seal } from "../lib/mail/sealed";
import { newTotpSecret } from "../lib/second-factor/totp";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { BASE_URL, approvedRequest, claimFromMailbox, pendingRequest, rememberSecret } from "./keys-helpers";

/**
 * Every in-place confirmation step (components/use-confirm-step.ts) opens whole in a phone's view,
 * focus inside it, even when the button that opens it sat at the bottom edge of the screen: focus
 * alone brings only the focused control into view, and the rest of the step stayed under the fold.
 */

const conn = e2eDb();
test.afterAll(() => conn.sql.end());
test.use({ viewport: { width: 390, height: 844 } });

const tag = () => randomBytes(4).toString("hex");

/** Puts the trigger's bottom edge this many pixels from the viewport's top (see roomAround). */
async function placeTrigger(trigger: Locator, bottomAt: (innerHeight: number) => number) {
  const target = bottomAt(await trigger.page().evaluate(() => window.innerHeight));
  await trigger.evaluate((el, y) => window.scrollBy(0, el.getBoundingClientRect().bottom - y), target);
  const bottom = await trigger.evaluate((el) => el.getBoundingClientRect().bottom);
  expect(Math.abs(bottom - target), `the trigger's bottom at ${target} px, not ${bottom}`).toBeLessThan(1);
}

/**
 * A screen of room above and below the page, so any placement of the trigger can be scrolled to
 * (a step at the end of a short page, Delete app, could not otherwise sit at the bottom edge).
 */
async function roomAround(page: Page) {
  await page.evaluate(() => {
    document.documentElement.style.paddingTop = `${window.innerHeight}px`;
    document.documentElement.style.paddingBottom = `${window.innerHeight}px`;
  });
}

/**
 * Opens the step with its trigger low on the screen, twice: the trigger at the bottom edge, and
 * placed so the step would end just under the fold (where the control that takes focus is in view,
 * so focusing it scrolls nothing). Each time the whole step is in the viewport, focus inside it.
 */
async function expectOpensInView(page: Page, trigger: Locator, step: Locator, what: string) {
  await roomAround(page);
  await expect(trigger).toBeEnabled();
  // How far below the trigger's bottom the open step ends, measured with room to open in.
  await placeTrigger(trigger, (h) => h / 3);
  const triggerBottom = await trigger.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
  await trigger.click();
  await expect(step, what).toBeVisible();
  const below = (await step.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY)) - triggerBottom;
  await page.keyboard.press("Escape");
  await expect(step, what).toBeHidden();

  const placements: [string, (h: number) => number][] = [
    ["the trigger at the bottom edge", (h) => h - 6],
    ["the step ending 8 px under the fold", (h) => Math.min(h - 6, h + 8 - below)],
  ];
  for (const [where, bottomAt] of placements) {
    const label = `${what}, ${where}`;
    await expect(trigger, label).toBeEnabled();
    await placeTrigger(trigger, bottomAt);
    await trigger.click();
    await expect(step, label).toBeVisible();
    // Focus first, then the step's own scroll: give both effects a frame to land.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const seen = await step.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, innerHeight: window.innerHeight, focusInside: el.contains(document.activeElement) };
    });
    expect(seen.top, `${label}: the step's top is in view ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(0);
    expect(seen.bottom, `${label}: the step's bottom is in view ${JSON.stringify(seen)}`).toBeLessThanOrEqual(seen.innerHeight);
    expect(seen.focusInside, `${label}: focus is in the step`).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label}: nothing scrolls sideways`).toBeLessThanOrEqual(390);
    await page.keyboard.press("Escape");
    await expect(step, label).toBeHidden();
  }
  // Left open for the caller's checks of where focus went.
  await trigger.click();
  await expect(step, what).toBeVisible();
}

async function seedUser(role: "consumer" | "owner" | "admin", prefix: string) {
  const email = `confirm-${prefix}-${tag()}@example.com`;
  const [u] = await conn.db.insert(users).values({ email, name: `Confirm ${prefix}`, role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  return u;
}

test("a key's Revoke on the keys page opens in view", async ({ page }) => {
  const request = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, request.email);
  await page.context().clearCookies();
  await signInAs(page, "owner@portico.dev", `/admin/keys?q=${encodeURIComponent(key.slice(0, 8))}`);
  const row = page.getByTestId("admin-key").filter({ hasText: key.slice(0, 8) });
  const reason = row.getByLabel("Why? The requester is emailed this.");
  await expectOpensInView(page, row.getByRole("button", { name: /^Revoke/ }), row.locator("form").filter({ has: page.getByLabel("Why? The requester is emailed this.") }), "Revoke");
  await expect(reason).toBeFocused();
});

test("a product's Archive opens in view", async ({ page }) => {
  const t = tag();
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !standard) throw new Error("seed data missing");
  const [product] = await conn.db
    .insert(products)
    .values({ slug: `confirm-archive-${t}`, name: `Confirm Archive ${t}`, ownerId: owner.id, status: "draft" })
    .returning();
  if (!product) throw new Error("product insert");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  await signInAs(page, "owner@portico.dev", `/admin/products/${product.id}`);
  const step = page.getByRole("group", { name: `Archive ${product.name}` });
  await expectOpensInView(page, page.getByRole("button", { name: "Archive", exact: true }), step, "Archive");
  await expect(step.getByRole("button", { name: "Cancel" })).toBeFocused();
});

test("a consumer's Delete app opens in view", async ({ page }) => {
  const consumer = await seedUser("consumer", "app");
  const [app] = await conn.db.insert(apps).values({ ownerId: consumer.id, name: `Confirm app ${tag()}` }).returning();
  if (!app) throw new Error("app insert");
  await signInAs(page, consumer.email, `/apps/${app.id}`);
  const step = page.getByRole("group", { name: "Are you sure?" });
  await expectOpensInView(page, page.getByRole("button", { name: "Delete app…" }), step, "Delete app");
  await expect(step.getByRole("button", { name: "Keep it" })).toBeFocused();
});

test("a consumer's Cancel request opens in view", async ({ page }) => {
  const request = await pendingRequest(conn, "payments");
  await signInAs(page, request.email, `/requests/${request.requestId}`);
  const step = page.getByRole("group", { name: "Cancel this request?" });
  await expectOpensInView(page, page.getByRole("button", { name: "Cancel request" }), step, "Cancel request");
  await expect(step.getByRole("button", { name: "Keep it" })).toBeFocused();
});

test("a consumer's Roll key and Give up access open in view", async ({ page }) => {
  const request = await approvedRequest(conn, "payments");
  await claimFromMailbox(page, request.email);
  await page.goto(`/requests/${request.requestId}`);
  const keep = page.getByRole("button", { name: "Keep the current key" });
  await expectOpensInView(page, page.getByRole("button", { name: "Roll key" }), page.getByRole("group", { name: "Roll this key?" }), "Roll key");
  await expect(keep).toBeFocused();
  await page.keyboard.press("Escape");
  const keepAccess = page.getByRole("button", { name: "Keep access" });
  await expectOpensInView(page, page.getByRole("button", { name: "Give up access" }), page.getByRole("group", { name: "Give up this access?" }), "Give up access");
  await expect(keepAccess).toBeFocused();
});

test("an API access key's Remove opens in view", async ({ page }) => {
  const admin = await seedUser("admin", "api-key");
  const name = `Confirm remove ${tag()}`;
  const { token } = await createApiAccessKey(conn.db, { kind: "user", id: admin.id, role: "admin", disabled: false }, { name, expiry: "90d", roles: [{ role: "portal_viewer" }], issuer: BASE_URL });
  rememberSecret(token);
  await signInAs(page, admin.email, "/admin/api-keys");
  const step = page.getByRole("group", { name: `Remove ${name}?` });
  await expectOpensInView(page, page.getByRole("button", { name: `Remove ${name}` }), step, "API key Remove");
  await expect(step.getByRole("button", { name: "Cancel" })).toBeFocused();
});

test("the queue's bulk Deny opens in view", async ({ page }) => {
  const request = await pendingRequest(conn, "payments");
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(request.email)}`);
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("checkbox").check();
  const bulk = page.getByRole("region", { name: "Bulk decision" });
  await bulk.getByLabel(/Comment/).fill("Not this quarter.");
  const step = bulk.getByRole("group", { name: "Deny 1 request?" });
  await expectOpensInView(page, bulk.getByRole("button", { name: "Deny", exact: true }), step, "bulk Deny");
  await expect(step.getByRole("button", { name: "Cancel" })).toBeFocused();
});

test("Remove the authenticator opens in view", async ({ page }) => {
  const person = await seedUser("consumer", "factor");
  await conn.db.insert(secondFactors).values({ userId: person.id, secret: await seal(newTotpSecret()), confirmedAt: new Date() });
  await signInAs(page, person.email, "/account/security");
  const step = page.getByTestId("remove-confirm");
  await expectOpensInView(page, page.getByRole("button", { name: "Remove…" }), step, "Remove the authenticator");
  await expect(step.getByLabel("Authenticator code")).toBeFocused();
});
