import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { and, eq, sql as dsql } from "drizzle-orm";
import { accessRequests, auditEvents, plans, productPlans, products, recoveryCodes, secondFactors, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { codeAt, PERIOD_SECONDS, stepAt } from "../lib/second-factor/totp";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { openAccountMenu, signInByLink } from "./helpers";
import { BASE_URL } from "./keys-helpers";
import { seriousViolations } from "./helpers-products";

/**
 * Issue 15's story, in the "chromium" project (the policy stays `no_one`): a person WITH an
 * authenticator is asked for a code before privileged actions all the same.
 */
const conn = e2eDb();
test.afterAll(() => conn.sql.end());


/** A fresh owner who owns a published product on the Standard plan, and `n` pending requests for it. */
async function ownerWithRequests(n: number) {
  const tag = randomBytes(4).toString("hex");
  const [owner] = await conn.db.insert(users).values({ email: `tf-owner-${tag}@example.com`, name: `Tess ${tag}`, role: "owner" }).returning();
  const [requester] = await conn.db.insert(users).values({ email: `tf-req-${tag}@example.com`, name: `Rae ${tag}` }).returning();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !requester || !standard) throw new Error("seed");
  const [product] = await conn.db
    .insert(products)
    .values({ slug: `vault-${tag}`, name: `Vault ${tag} API`, ownerId: owner.id, status: "published" })
    .returning();
  if (!product) throw new Error("product");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    await addToCart(conn.db, requester.id, { productId: product.id, planId: standard.id });
    const r = await submitRequest(conn.db, { userId: requester.id, baseUrl: BASE_URL }, { newAppName: `Safe ${i} ${tag}`, reason: `Story ${i}` }, {});
    ids.push(r.id);
  }
  return { owner, ids };
}

const factorRow = async (userId: string) => (await conn.db.select().from(secondFactors).where(eq(secondFactors.userId, userId)))[0] ?? null;
const statusOf = async (id: string) => (await conn.db.select({ s: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.s;

const atStep = (step: number) => new Date(step * PERIOD_SECONDS * 1000 + 1000);

/**
 * Two successive codes for the setup, computed from the secret read on the page. Early in step n:
 * steps n-1 and n (the server accepts them for 20 s or more, and the next code, n+1, is usable at
 * once). Later in the step: n and n+1, which stay valid across the coming step change too.
 */
function setupCodes(secret: string) {
  const intoStep = (Date.now() / 1000) % PERIOD_SECONDS;
  const n = stepAt(new Date());
  const first = intoStep <= 10 ? n - 1 : n;
  return { first: codeAt(secret, atStep(first)), second: codeAt(secret, atStep(first + 1)) };
}

/**
 * A code the server accepts now, without waiting for the next 30-second step (up to 30 s, twice in
 * this file): the authenticator's last used step is moved back before the current one, as moveClock
 * moves a session's step-up back 16 minutes. Within the setup's step that is a code the setup used,
 * taken only because of this edit. Refusing a reused code is tested in second-factor-stepup.spec.ts,
 * lib/second-factor/second-factor.test.ts and adversary.test.ts.
 */
async function freshCode(userId: string, secret: string) {
  const step = stepAt(new Date());
  await conn.db.execute(dsql`update second_factors set last_used_step = least(last_used_step, ${step - 1}) where user_id = ${userId}`);
  return codeAt(secret, atStep(step));
}

async function openSetup(page: Page) {
  await page.goto("/account/security");
  await expect(page.getByTestId("no-authenticator")).toBeVisible();
  await page.getByRole("button", { name: "Set up an authenticator" }).click();
  await expect(page.getByTestId("setup-qr").locator("svg")).toBeVisible();
  const secret = await page.getByRole("textbox", { name: "Setup key", exact: true }).inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  return secret;
}

async function confirmSetup(page: Page, secret: string) {
  const { first, second } = setupCodes(secret);
  await page.getByRole("textbox", { name: "Code shown now" }).fill(first);
  await page.getByRole("textbox", { name: "Next code" }).fill(second);
  await page.getByRole("button", { name: "Confirm setup" }).click();
  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  return (await codes.allTextContents()).map((c) => c.trim());
}

async function approveIn(page: Page, requestId: string) {
  await page.goto(`/admin/requests?status=all&open=${requestId}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel.getByRole("button", { name: "Approve" })).toBeEnabled();
  await panel.getByRole("button", { name: "Approve" }).click();
}

async function moveClock(userId: string) {
  await conn.db.execute(dsql`update sessions set stepped_up_at = stepped_up_at - interval '16 minutes' where user_id = ${userId} and stepped_up_at is not null`);
}

test("an owner sets up an authenticator, saves recovery codes, and is asked for a code before approving at most every 15 minutes; a recovery code works once", async ({
  page,
}) => {
  const { owner, ids } = await ownerWithRequests(4);
  const [r1, r2, r3, r4] = ids as [string, string, string, string];
  await signInByLink(page, owner.email);

  // Account menu → Account security.
  await (await openAccountMenu(page)).getByRole("menuitem", { name: "Account security" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  const secret = await openSetup(page);
  await expect(page.getByRole("textbox", { name: "Setup link (otpauth URI)" })).toHaveValue(new RegExp(`^otpauth://totp/.*secret=${secret}`));
  await expect(page.getByTestId("setup-time-left")).toHaveText(/^[45]:\d\d$/);
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  expect(await seriousViolations(page), "setup screen").toEqual([]);

  // Confirm with two successive codes; the recovery codes are shown once, focus on them.
  const saved = await confirmSetup(page, secret);
  expect(saved.every((c) => /^[a-z2-9]{5}-[a-z2-9]{5}$/.test(c))).toBe(true);
  await expect(page.getByRole("heading", { name: /Save your recovery codes/ })).toBeFocused();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download (.txt)" }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe("portico-recovery-codes.txt");
  const file = fs.readFileSync((await download.path()) ?? "", "utf8");
  for (const code of saved) expect(file).toContain(code);
  // Only hashes are stored.
  const stored = await conn.db.select({ h: recoveryCodes.codeHash }).from(recoveryCodes).where(eq(recoveryCodes.userId, owner.id));
  expect(stored).toHaveLength(10);
  expect(stored.some((s) => saved.includes(s.h))).toBe(false);
  // The secret is sealed in the database, and neither it nor a recovery code reached the server log.
  expect((await factorRow(owner.id))?.secret).not.toContain(secret);
  const log = fs.existsSync(".data/e2e-server.log") ? fs.readFileSync(".data/e2e-server.log", "utf8") : "";
  for (const value of [secret, ...saved]) expect(log).not.toContain(value);
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(page.getByTestId("active-authenticator")).toBeVisible();
  await expect(page.getByTestId("recovery-codes-left")).toContainText("10 of 10");

  // Sign out and in: the new session has entered no code yet.
  await (await openAccountMenu(page)).getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await signInByLink(page, owner.email);

  // First approval: the step-up dialog asks for a code; nothing is decided before it.
  await approveIn(page, r1);
  const dialog = page.getByTestId("step-up-dialog");
  await expect(dialog).toBeVisible();
  await expect(page.locator("#step-up-code")).toBeFocused();
  expect(await statusOf(r1)).toBe("pending");
  expect(await seriousViolations(page), "step-up dialog").toEqual([]);
  await page.locator("#step-up-code").fill(await freshCode(owner.id, secret));
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => statusOf(r1)).toBe("approved");
  // The decision's audit event records that it was stepped up.
  const [approved] = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, r1), eq(auditEvents.action, "request.approved")));
  expect(approved?.data.stepUp).toMatchObject({ at: expect.any(String) });

  // Within 15 minutes: no question.
  await approveIn(page, r2);
  await expect.poll(() => statusOf(r2)).toBe("approved");
  await expect(dialog).toHaveCount(0);

  // 16 minutes later (the clock moved in the database): asked again; a recovery code works.
  await moveClock(owner.id);
  await approveIn(page, r3);
  await expect(dialog).toBeVisible();
  expect(await statusOf(r3)).toBe("pending");
  const recovery = saved[0] ?? "";
  await page.locator("#step-up-code").fill(recovery);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => statusOf(r3)).toBe("approved");

  // Later again: the same recovery code is refused, nothing is decided.
  await moveClock(owner.id);
  await approveIn(page, r4);
  await expect(dialog).toBeVisible();
  await page.locator("#step-up-code").fill(recovery);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog.getByRole("alert")).toContainText("That code is not right");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect(await statusOf(r4)).toBe("pending");

  // Account security counts the recovery code spent.
  await page.goto("/account/security");
  await expect(page.getByTestId("recovery-codes-left")).toContainText("9 of 10");
  await expect(page.getByTestId("recovery-codes-left")).not.toContainText("Running low");

  // Few codes left, and a lock: the page says so, when it unlocks and that an email was sent.
  await conn.db.execute(dsql`update recovery_codes set used_at = now() where user_id = ${owner.id} and id in (
    select id from recovery_codes where user_id = ${owner.id} and used_at is null limit 6)`);
  await conn.db.update(secondFactors).set({ lockedUntil: new Date(Date.now() + 4 * 60_000) }).where(eq(secondFactors.userId, owner.id));
  await page.reload();
  await expect(page.getByTestId("recovery-codes-left")).toContainText("3 of 10");
  await expect(page.getByTestId("recovery-codes-left")).toContainText("Running low");
  await expect(page.getByTestId("second-factor-locked")).toContainText(/unlocks at .* UTC\. We emailed you about it\./);
});

test("the setup and remove code fields refuse empty, letters, 7 digits and 100 000 digits with a clear message, writing nothing", async ({ page }) => {
  const tag = randomBytes(4).toString("hex");
  const [user] = await conn.db.insert(users).values({ email: `tf-fuzz-${tag}@example.com`, name: `Fay ${tag}`, role: "owner" }).returning();
  if (!user) throw new Error("user");
  await signInByLink(page, user.email);
  const secret = await openSetup(page);
  const before = await factorRow(user.id);
  expect(before?.confirmedAt).toBeNull();

  const setupMessage = "Enter the 6-digit code from your authenticator app.";
  const bad = ["", "abcdef", "1234567", "9".repeat(100_000)];
  for (const value of bad) {
    await page.getByRole("textbox", { name: "Code shown now" }).fill(value);
    await page.getByRole("textbox", { name: "Next code" }).fill(value);
    await page.getByRole("button", { name: "Confirm setup" }).click();
    await expect(page.locator("#first-code-error")).toHaveText(setupMessage);
    await expect(page.locator("#second-code-error")).toHaveText(setupMessage);
    await expect(page.getByRole("textbox", { name: "Code shown now" })).toBeFocused();
    expect(await factorRow(user.id)).toEqual(before);
  }

  // Set it up, then try to remove it with the same inputs.
  const saved = await confirmSetup(page, secret);
  expect(saved).toHaveLength(10);
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(page.getByTestId("active-authenticator")).toBeVisible();

  // New recovery codes, after a code from the app (a recovery code cannot renew them).
  const newCodes = page.getByRole("form", { name: "New recovery codes" });
  await newCodes.getByRole("textbox", { name: "Authenticator code" }).fill(await freshCode(user.id, secret));
  await newCodes.getByRole("button", { name: "Make new recovery codes" }).click();
  await expect(page.getByRole("heading", { name: "Your new recovery codes" })).toBeFocused();
  const replaced = (await page.getByTestId("recovery-code").allTextContents()).map((c) => c.trim());
  expect(replaced).toHaveLength(10);
  expect(replaced.some((c) => saved.includes(c))).toBe(false);
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(page.getByTestId("recovery-codes-left")).toContainText("10 of 10");

  const active = await factorRow(user.id);
  const codesBefore = await conn.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));

  await page.getByRole("button", { name: "Remove…" }).click();
  const field = page.getByTestId("remove-confirm").getByRole("textbox", { name: "Authenticator code" });
  await expect(field).toBeFocused();
  const removeMessages: [string, string][] = [
    ["", "Enter the code from your authenticator app."],
    ["abcdef", "Enter the 6-digit code from your authenticator app, or one of your recovery codes."],
    ["1234567", "Authenticator codes have 6 digits; this one has 7."],
    ["9".repeat(100_000), "Enter the 6-digit code from your authenticator app, or one of your recovery codes."],
  ];
  for (const [value, message] of removeMessages) {
    await field.fill(value);
    await page.getByTestId("remove-confirm").getByRole("button", { name: "Remove authenticator" }).click();
    await expect(page.locator("#remove-code-error")).toHaveText(message);
    await expect(field).toBeFocused();
    expect(await factorRow(user.id)).toEqual(active);
    expect(await conn.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toEqual(codesBefore);
  }

  // Escape closes the step and gives focus back; then one of the new recovery codes removes it
  // (the field switches to a full keyboard for it), audited.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Remove…" })).toBeFocused();
  await page.getByRole("button", { name: "Remove…" }).click();
  const confirmStep = page.getByTestId("remove-confirm");
  await confirmStep.getByRole("button", { name: "Use a recovery code instead" }).click();
  await expect(confirmStep.getByRole("textbox", { name: "Recovery code" })).toHaveAttribute("inputmode", "text");
  await confirmStep.getByRole("textbox", { name: "Recovery code" }).fill(replaced[0] ?? "");
  await page.getByTestId("remove-confirm").getByRole("button", { name: "Remove authenticator" }).click();
  await expect(page.getByText("Authenticator removed")).toBeVisible();
  await expect(page.getByTestId("no-authenticator")).toBeVisible();
  expect(await factorRow(user.id)).toBeNull();
  const removed = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, user.id), eq(auditEvents.action, "second_factor.removed")));
  expect(removed).toHaveLength(1);
});

test("on a phone, keyboard only: the required banner, an expired setup started again, and after saving the codes back to where the person was going", async ({
  page,
}) => {
  const tag = randomBytes(4).toString("hex");
  const [user] = await conn.db.insert(users).values({ email: `tf-phone-${tag}@example.com`, name: `Pia ${tag}`, role: "owner" }).returning();
  if (!user) throw new Error("user");
  await signInByLink(page, user.email);
  // The sign-in helper looks for the name in the header, which a phone folds behind Menu.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/account/security?required=1&callbackUrl=%2Fapps");
  await expect(page.getByTestId("second-factor-required")).toContainText("Your role needs an authenticator before you can continue.");

  // Keyboard: focus the button, press Enter.
  await page.getByRole("button", { name: "Set up an authenticator" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("setup-qr").locator("svg")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const firstSecret = await page.getByRole("textbox", { name: "Setup key", exact: true }).inputValue();

  // The setup lapses (5 minutes, moved in the database): confirming says so and offers to start again.
  await conn.db.execute(dsql`update second_factors set created_at = created_at - interval '6 minutes' where user_id = ${user.id}`);
  const { first, second } = setupCodes(firstSecret);
  await page.getByRole("textbox", { name: "Code shown now" }).focus();
  await page.keyboard.type(first);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("textbox", { name: "Next code" })).toBeFocused();
  await page.keyboard.type(second);
  await page.keyboard.press("Enter");
  const expired = page.getByTestId("setup-expired");
  await expect(expired).toContainText("This setup expired");
  expect((await factorRow(user.id))?.confirmedAt).toBeNull();
  await expired.getByRole("button", { name: "Start again" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("setup-time-left")).toHaveText(/^[45]:\d\d$/);
  const secret = await page.getByRole("textbox", { name: "Setup key", exact: true }).inputValue();
  expect(secret).not.toBe(firstSecret);

  // The countdown reaching 0 says the same without a round trip.
  await conn.db.execute(dsql`update second_factors set created_at = now() - interval '4 minutes 57 seconds' where user_id = ${user.id}`);
  await page.reload();
  await expect(page.getByTestId("setup-expired")).toContainText("This setup expired", { timeout: 10_000 });
  await page.getByTestId("setup-expired").getByRole("button", { name: "Start again" }).click();
  await expect(page.getByTestId("setup-time-left")).toHaveText(/^[45]:\d\d$/);
  const third = await page.getByRole("textbox", { name: "Setup key", exact: true }).inputValue();

  const codes = await confirmSetup(page, third);
  expect(codes).toHaveLength(10);
  await expect(page.getByRole("heading", { name: /Save your recovery codes/ })).toBeFocused();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "I saved them" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/apps$/);
});
