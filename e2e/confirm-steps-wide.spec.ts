import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, secondFactors, users } from "../db/schema";
import { seal } from "../lib/mail/sealed";
import { newTotpSecret } from "../lib/second-factor/totp";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { approvedRequest, claimFromMailbox, pendingRequest } from "./keys-helpers";

// useConfirmStep's scroll into view (components/use-confirm-step.ts) beyond the portrait phone of
// confirm-steps.spec.ts, from an adversarial review (2026-12-07): a landscape phone, where a step can
// be taller than the screen; a desktop, where a step already in view must not move the page; Escape
// and the safe choice giving focus back to the trigger.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");
const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** The focused element lies wholly inside the viewport. */
async function focusInView(page: Page, what: string) {
  const seen = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, h: window.innerHeight, text: el.textContent?.slice(0, 40) ?? el.tagName };
  });
  expect(seen, `${what}: something has focus`).not.toBeNull();
  if (!seen) return;
  expect(seen.top, `${what}: focus's top in view ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(0);
  expect(seen.bottom, `${what}: focus's bottom in view ${JSON.stringify(seen)}`).toBeLessThanOrEqual(seen.h);
}

/** Puts the trigger's bottom at the screen's bottom edge (with room below to scroll into). */
async function triggerAtBottom(page: Page, trigger: Locator) {
  await page.evaluate(() => {
    document.documentElement.style.paddingBottom = `${window.innerHeight}px`;
  });
  await trigger.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().bottom - (window.innerHeight - 4)));
}

test.describe("landscape phone, 844 x 390", () => {
  test.use({ viewport: { width: 844, height: 390 }, hasTouch: true, isMobile: true });

  test("Roll key, Give up access, Cancel request: the focused choice stays in view", async ({ page }) => {
    const request = await approvedRequest(conn, "payments");
    await claimFromMailbox(page, request.email);
    await page.goto(`/requests/${request.requestId}`);
    for (const [button, group, safe] of [
      ["Roll key", "Roll this key?", "Keep the current key"],
      ["Give up access", "Give up this access?", "Keep access"],
    ] as const) {
      const trigger = page.getByRole("button", { name: button, exact: true });
      await triggerAtBottom(page, trigger);
      await trigger.click();
      await expect(page.getByRole("group", { name: group })).toBeVisible();
      await frames(page);
      await expect(page.getByRole("button", { name: safe })).toBeFocused();
      await focusInView(page, button);
      await page.keyboard.press("Escape");
      await expect(trigger, `${button}: Escape gives focus back`).toBeFocused();
    }
  });

  test("Remove the authenticator: the code field stays in view", async ({ page }) => {
    const email = `wide-factor-${tag()}@example.com`;
    const [person] = await conn.db.insert(users).values({ email, name: "Adv3 factor" }).returning();
    if (!person) throw new Error("seed");
    await conn.db.insert(secondFactors).values({ userId: person.id, secret: await seal(newTotpSecret()), confirmedAt: new Date() });
    await signInAs(page, email, "/account/security");
    const trigger = page.getByRole("button", { name: "Remove…" });
    await triggerAtBottom(page, trigger);
    await trigger.click();
    await frames(page);
    await expect(page.getByTestId("remove-confirm").getByLabel("Authenticator code")).toBeFocused();
    await focusInView(page, "Remove the authenticator");
    await page.keyboard.press("Escape");
    await expect(trigger).toBeFocused();
  });
});

test.describe("desktop, 1280 x 800", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("a step already in view does not move the page (Archive, bulk Deny)", async ({ page }) => {
    const t = tag();
    const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
    const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
    if (!owner || !standard) throw new Error("seed data missing");
    const [product] = await conn.db.insert(products).values({ slug: `wide-archive-${t}`, name: `Wide Archive ${t}`, ownerId: owner.id, status: "draft" }).returning();
    if (!product) throw new Error("product");
    await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
    await signInAs(page, "owner@portico.dev", `/admin/products/${product.id}`);
    const archive = page.getByRole("button", { name: "Archive", exact: true });
    // The trigger in the middle of the screen: the step opens below it, in view.
    await archive.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - 200));
    const before = await page.evaluate(() => window.scrollY);
    await archive.click();
    await expect(page.getByRole("group", { name: `Archive ${product.name}` })).toBeVisible();
    await frames(page);
    expect(await page.evaluate(() => window.scrollY), "the page did not move").toBe(before);
    await page.getByRole("group", { name: `Archive ${product.name}` }).getByRole("button", { name: "Cancel" }).click();
    await expect(archive, "Cancel gives focus back").toBeFocused();

    const request = await pendingRequest(conn, "payments");
    await page.goto(`/admin/requests?requester=${encodeURIComponent(request.email)}`);
    await page.getByTestId("queue-row").first().getByRole("checkbox").check();
    const bulk = page.getByRole("region", { name: "Bulk decision" });
    await bulk.getByLabel(/Comment/).fill("Not now.");
    const deny = bulk.getByRole("button", { name: "Deny", exact: true });
    const y = await page.evaluate(() => window.scrollY);
    await deny.click();
    await expect(bulk.getByRole("group", { name: "Deny 1 request?" })).toBeVisible();
    await frames(page);
    expect(await page.evaluate(() => window.scrollY), "the page did not move").toBe(y);
    await page.keyboard.press("Escape");
    await expect(bulk.getByRole("button", { name: "Deny", exact: true }), "Escape gives focus back to Deny").toBeFocused();
  });
});
