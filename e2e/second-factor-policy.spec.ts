import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { secondFactors, securitySettings, users, type UserRole } from "../db/schema";
import { seal } from "../lib/mail/sealed";
import { codeAt, newTotpSecret } from "../lib/second-factor/totp";
import { callAction } from "./actions";
import { e2eDb } from "./db";
import { changedRows, snapshotAll } from "./db-snapshot";
import { latestLinkFor, signInByLink } from "./helpers";
import { seriousViolations } from "./helpers-products";

/**
 * The second-factor policy (issue 15), set on Admin → Sign-in policy. This project runs alone after all
 * the others (playwright.config.ts "second factor policy"): the policy covers everyone signed in.
 * It puts the policy back to "no one" at the end, as e2e/policy.setup.ts left it.
 */

const conn = e2eDb();
const tag = randomBytes(4).toString("hex");

test.afterAll(async () => {
  await conn.db
    .insert(securitySettings)
    .values({ id: true, secondFactorPolicy: "no_one" })
    .onConflictDoUpdate({ target: securitySettings.id, set: { secondFactorPolicy: "no_one" } });
  await conn.sql.end();
});

async function person(role: UserRole, name: string) {
  const email = `policy-${name}-${tag}@example.com`;
  const [u] = await conn.db.insert(users).values({ email, name: `${name} ${tag}`, role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  return { id: u.id, email };
}

/** The magic-link flow, without assuming where it lands (a person the policy covers is sent to setup). */
async function signInCovered(page: Page, email: string) {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await page.goto(await latestLinkFor(page, email));
}

const SETUP = (from: string) => new RegExp(`/account/security\\?required=1&callbackUrl=${encodeURIComponent(from).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

test("an admin requires an authenticator of admins and owners, then of everyone: those it covers are sent to set one up; the audit log has it", async ({ browser, page }) => {
  const admin = await person("admin", "admin");
  const secret = newTotpSecret();
  await conn.db.insert(secondFactors).values({ userId: admin.id, secret: await seal(secret), confirmedAt: new Date() });
  await signInByLink(page, admin.email);

  // The nav leads to the sign-in policy; the current policy is chosen ("no one", from the setup project).
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Sign-in policy" }).click();
  await expect(page).toHaveURL(/\/admin\/security$/);
  await expect(page.getByRole("radio", { name: /No one/ })).toBeChecked();
  // Each choice says how many people it covers have no authenticator yet (at least the owner below).
  const owner = await person("owner", "owner");
  const consumer = await person("consumer", "consumer");
  await page.reload();
  await expect(page.getByTestId("policy-without-admins_and_owners")).toContainText(/(\d+ of the \d+ people|None of the \d+ people|The one person) it covers/);
  expect(await seriousViolations(page), "/admin/security").toEqual([]);

  const result = page.getByTestId("policy-result");
  // Saving asks for a code (step-up), keeping the choice, then says what changed.
  await page.getByRole("radio", { name: /Admins and owners/ }).check();
  await page.getByRole("button", { name: "Save policy" }).click();
  const dialog = page.getByTestId("step-up-dialog");
  await expect(dialog).toBeVisible();
  // (The modal hides the page from the accessibility tree meanwhile: the radio is found by its value.)
  await expect(page.locator('input[name="policy"][value="admins_and_owners"]')).toBeChecked();
  expect((await conn.db.select().from(securitySettings))[0]?.secondFactorPolicy).toBe("no_one");
  await dialog.getByLabel("Authenticator code").fill(codeAt(secret, new Date()));
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(result).toContainText("Saved: the policy is now “Admins and owners” (it was “No one”).");
  await expect(result).toContainText(/no authenticator yet: they are sent to set one up at their next page/);
  expect((await conn.db.select().from(securitySettings))[0]?.secondFactorPolicy).toBe("admins_and_owners");

  // An owner without an authenticator signs in: every page leads to the setup first.
  const ownerContext = await browser.newContext();
  const ownerPage = await ownerContext.newPage();
  await signInCovered(ownerPage, owner.email);
  await ownerPage.goto("/admin");
  await expect(ownerPage).toHaveURL(SETUP("/admin"));
  await ownerPage.goto("/apps");
  await expect(ownerPage).toHaveURL(SETUP("/apps"));
  // A server action posted straight with their session is refused too, nothing written.
  const cookie = (await ownerContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const before = await snapshotAll(conn);
  const posted = await callAction(ownerPage.request, {
    page: "/apps",
    file: "app/(consumer)/apps/actions.ts",
    name: "createAppAction",
    fields: { name: `Policy app ${tag}`, description: "" },
    cookie,
  });
  expect(posted.text).toContain('"ok":false');
  expect(posted.text).toContain("Set up an authenticator first");
  expect(await changedRows(conn, before, await snapshotAll(conn))).toEqual({});
  await ownerContext.close();

  // A consumer is not covered: they go where they asked.
  const consumerContext = await browser.newContext();
  const consumerPage = await consumerContext.newPage();
  await signInByLink(consumerPage, consumer.email);
  await consumerPage.goto("/apps");
  await expect(consumerPage).toHaveURL(/\/apps$/);

  // "Everyone" covers consumers too (no code asked again: one was entered within 15 minutes).
  await page.getByRole("radio", { name: /Everyone/ }).check();
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(result).toContainText("Saved: the policy is now “Everyone” (it was “Admins and owners”).");
  await expect(dialog).toBeHidden();
  await consumerPage.goto("/apps");
  await expect(consumerPage).toHaveURL(SETUP("/apps"));
  await consumerContext.close();

  // The audit log shows both changes, by this admin.
  await page.goto(`/admin/audit?action=security_policy.changed&actor=${encodeURIComponent(admin.email)}`);
  await expect(page.getByTestId("audit-row")).toHaveCount(2);
  await expect(page.getByTestId("audit-row").first()).toContainText("security_policy.changed");
  const events = await conn.sql<{ data: { from: string; to: string; stepUp?: unknown } }[]>`
    select data from audit_events where action = 'security_policy.changed' and actor_id = ${admin.id} order by id`;
  expect(events.map((e) => [e.data.from, e.data.to])).toEqual([
    ["no_one", "admins_and_owners"],
    ["admins_and_owners", "everyone"],
  ]);
  expect(events.every((e) => e.data.stepUp)).toBe(true);

  // Back to "no one" through the page, as the other specs assume.
  await page.goto("/admin/security");
  await page.getByRole("radio", { name: /No one/ }).check();
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(result).toContainText("Saved: the policy is now “No one”");
});
