import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { and, desc, eq, inArray } from "drizzle-orm";
import { accessRequests, auditEvents, emailMessages, plans, productPlans, products, secondFactors, sessions, users, type UserRole, webhookEndpoints } from "../db/schema";
import { seal } from "../lib/mail/sealed";
import { codeAt, newTotpSecret } from "../lib/second-factor/totp";
import { callAction } from "./actions";
import { e2eDb } from "./db";
import { changedRows, snapshotAll } from "./db-snapshot";
import { signInByLink } from "./helpers";
import { userMenu } from "./helpers-admin-users";
import { seriousViolations } from "./helpers-products";
import { pendingRequest, rememberSecret } from "./keys-helpers";

/**
 * Step-up on privileged actions (issue 15): a person WITH an authenticator is asked for a code
 * before a privileged action unless they entered one in this session within 15 minutes, whatever
 * the policy (this project runs with the policy at "no one", e2e/policy.setup.ts). The
 * authenticator is enrolled straight in the database (its secret sealed as the app seals it) and
 * the test computes the codes from that secret with the same library.
 */

const conn = e2eDb();
const tag = randomBytes(4).toString("hex");

test.afterAll(async () => {
  await conn.db.update(products).set({ status: "archived" }).where(eq(products.slug, `stepup-${tag}`));
  await conn.sql.end();
});

/** A new person of this role with a confirmed authenticator; returns its secret. */
async function personWithAuthenticator(role: UserRole, name: string) {
  const email = `stepup-${name}-${tag}@example.com`;
  const [u] = await conn.db.insert(users).values({ email, name: `${name} ${tag}`, role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  const secret = newTotpSecret();
  await conn.db.insert(secondFactors).values({ userId: u.id, secret: await seal(secret), confirmedAt: new Date() });
  return { id: u.id, email, secret };
}

/**
 * A database session as the cookie a browser would carry, without a step-up. It expires in 30 days
 * as a fresh Auth.js session does, so reading it does not roll its expiry (which would change a table).
 */
async function sessionCookie(userId: string) {
  const token = randomBytes(32).toString("hex");
  await conn.db.insert(sessions).values({ sessionToken: token, userId, expires: new Date(Date.now() + 30 * 86_400_000) });
  return `authjs.session-token=${token}`;
}

/** A code that is not the authenticator's current one (nor the neighbouring steps'). */
function wrongCode(secret: string) {
  const near = [-30_000, 0, 30_000].map((d) => codeAt(secret, new Date(Date.now() + d)));
  return ["000000", "111111", "222222", "333333"].find((c) => !near.includes(c)) ?? "444444";
}

async function enterCode(page: Page, code: string) {
  const dialog = page.getByTestId("step-up-dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Authenticator code").fill(code);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  return dialog;
}

test("an admin with an authenticator changes a role: asked for a code, the choice kept, wrong and reused codes refused, 5 wrong lock it", async ({ page }) => {
  const admin = await personWithAuthenticator("admin", "admin");
  const [target] = await conn.db.insert(users).values({ email: `stepup-target-${tag}@example.com`, name: `Target ${tag}` }).returning();
  if (!target) throw new Error("target");
  await signInByLink(page, admin.email);

  await page.goto(`/admin/users?q=${encodeURIComponent(target.email)}`);
  const row = page.getByTestId("user-row").filter({ hasText: target.email });
  let roleDialog = await userMenu(page, target.email, "Change role…");
  // By its label on the page: while the step-up dialog (modal) is open, the role dialog beneath it is
  // hidden from the accessibility tree, so a role lookup of that dialog finds nothing.
  let role = page.getByLabel(`Role of ${target.email}`, { exact: true });
  await role.selectOption("owner");
  await roleDialog.getByRole("button", { name: "Save role" }).click();

  // Asked for a code; nothing done yet, and the form keeps what was chosen.
  const dialog = page.getByTestId("step-up-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Authenticator code")).toBeFocused();
  await expect(role).toHaveValue("owner");
  expect((await conn.db.select({ role: users.role }).from(users).where(eq(users.id, target.id)))[0]?.role).toBe("consumer");
  expect(await seriousViolations(page), "the step-up dialog over the users page").toEqual([]);

  // A wrong code: refused, with the message, still asking.
  await enterCode(page, wrongCode(admin.secret));
  await expect(dialog.getByRole("alert")).toContainText("That code is not right");
  await expect(role).toHaveValue("owner");

  // The right code: the same form is sent again and done.
  const used = codeAt(admin.secret, new Date());
  await enterCode(page, used);
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("Role changed to owner.");
  expect((await conn.db.select({ role: users.role }).from(users).where(eq(users.id, target.id)))[0]?.role).toBe("owner");
  // Its audit event records the step-up.
  const [event] = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, target.id), eq(auditEvents.actorId, admin.id)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  expect(event?.data).toHaveProperty("stepUp");

  // 16 minutes later (the session's step-up moved back): asked again. The code used before is refused.
  await conn.db.update(sessions).set({ steppedUpAt: new Date(Date.now() - 16 * 60_000) }).where(eq(sessions.userId, admin.id));
  await page.reload();
  roleDialog = await userMenu(page, target.email, "Change role…");
  role = page.getByLabel(`Role of ${target.email}`, { exact: true });
  await role.selectOption("admin");
  await roleDialog.getByRole("button", { name: "Save role" }).click();
  await enterCode(page, used);
  await expect(dialog.getByRole("alert")).toContainText("That code was already used");
  const replays = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.actorId, admin.id), eq(auditEvents.action, "second_factor.replay_refused")));
  expect(replays).toHaveLength(1);

  // The replay counted as the 1st wrong code: 4 more lock the authenticator for 5 minutes.
  for (let i = 2; i <= 4; i++) {
    await enterCode(page, wrongCode(admin.secret));
    await expect(dialog.getByRole("alert")).toContainText(`${5 - i} more wrong`);
  }
  await enterCode(page, wrongCode(admin.secret));
  await expect(dialog.getByRole("alert")).toContainText("Too many wrong codes: your authenticator is locked until");
  // The 6th, even a right (fresh) code, is refused while locked.
  await enterCode(page, codeAt(admin.secret, new Date(Date.now() + 30_000)));
  await expect(dialog.getByRole("alert")).toContainText("Too many wrong codes: your authenticator is locked until");
  await expect(role).toHaveValue("admin");
  expect((await conn.db.select({ role: users.role }).from(users).where(eq(users.id, target.id)))[0]?.role).toBe("owner");
  // The owner of the authenticator is emailed.
  const mails = await conn.db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(and(eq(emailMessages.to, admin.email), eq(emailMessages.template, "second-factor-locked")));
  expect(mails).toHaveLength(1);
  // Closing the dialog leaves the form as it was, with the refusal said.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(role).toHaveValue("admin");
  await expect(roleDialog.getByRole("alert")).toContainText("Enter a code from your authenticator app");
});

test("posted straight to the server actions without a recent step-up: a bulk decision, a role change and an API access key are refused, every table unchanged", async ({ request }) => {
  // An owner with an authenticator, their own product, and two requests waiting for them.
  const owner = await personWithAuthenticator("owner", "owner");
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  const [product] = await conn.db
    .insert(products)
    .values({ slug: `stepup-${tag}`, name: `Step-up ${tag}`, ownerId: owner.id, status: "published" })
    .returning();
  if (!standard || !product) throw new Error("seed data missing");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  const one = await pendingRequest(conn, product.slug);
  const two = await pendingRequest(conn, product.slug);
  const ownerCookie = await sessionCookie(owner.id);
  const admin = await personWithAuthenticator("admin", "poster");
  const adminCookie = await sessionCookie(admin.id);
  const [target] = await conn.db.insert(users).values({ email: `stepup-posted-${tag}@example.com` }).returning();
  if (!target) throw new Error("target");

  const refusedUnchanged = async (label: string, call: () => Promise<{ status: number; text: string }>) => {
    const before = await snapshotAll(conn);
    const res = await call();
    expect(res.status, label).toBeLessThan(500);
    expect(res.text, `${label}: refused`).toContain('"ok":false');
    expect(res.text, `${label}: asks for a step-up`).toContain('"stepUp":true');
    expect(await changedRows(conn, before, await snapshotAll(conn)), `${label}: every table unchanged`).toEqual({});
  };

  const decide = () =>
    callAction(request, {
      page: "/admin/requests",
      file: "app/admin/requests/actions.ts",
      name: "decideAction",
      fields: { requestIds: `${one.requestId},${two.requestId}`, decision: "approve", comment: "" },
      cookie: ownerCookie,
    });
  await refusedUnchanged("bulk decision", decide);
  const statuses = async () =>
    (await conn.db.select({ status: accessRequests.status }).from(accessRequests).where(inArray(accessRequests.id, [one.requestId, two.requestId]))).map((r) => r.status);
  expect(await statuses()).toEqual(["pending", "pending"]);

  const changeRole = () =>
    callAction(request, {
      page: "/admin/users",
      file: "app/admin/users/actions.ts",
      name: "changeRoleAction",
      fields: { userId: target.id, role: "admin" },
      cookie: adminCookie,
    });
  await refusedUnchanged("role change", changeRole);

  const addKey = () =>
    callAction(request, {
      page: "/admin/api-keys/new",
      file: "app/admin/api-keys/actions.ts",
      name: "addApiKeyAction",
      fields: { name: `Step-up key ${tag}`, expiry: "6m", roles: JSON.stringify([{ role: "portal_admin", allProducts: false, products: [] }]) },
      cookie: adminCookie,
    });
  await refusedUnchanged("API access key create", addKey);

  // A step-up older than 15 minutes is no step-up.
  await conn.db.update(sessions).set({ steppedUpAt: new Date(Date.now() - 15 * 60_000 - 5_000) }).where(eq(sessions.userId, owner.id));
  await refusedUnchanged("bulk decision after 15 minutes", decide);

  // The control: the same bulk decision with a step-up in this session goes through.
  await conn.db.update(sessions).set({ steppedUpAt: new Date() }).where(eq(sessions.userId, owner.id));
  const allowed = await decide();
  expect(allowed.text, "bulk decision after a step-up").toContain('"ok":true');
  expect(await statuses()).toEqual(["approved", "approved"]);
  const [decided] = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, one.requestId), eq(auditEvents.actorId, owner.id)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  expect(decided?.data).toHaveProperty("stepUp");
});

test("an admin resets another person's authenticator after a confirmation naming them, with a step-up; their own is not offered", async ({ page }) => {
  const admin = await personWithAuthenticator("admin", "resetter");
  const person = await personWithAuthenticator("owner", "lostphone");
  await signInByLink(page, admin.email);

  // Their own row: managed from Account security, no reset.
  await page.goto(`/admin/users?q=${encodeURIComponent(admin.email)}`);
  const own = page.getByTestId("user-row").filter({ hasText: admin.email });
  await expect(own.getByTestId("user-authenticator")).toContainText("Set up");
  await expect(own.getByTestId("user-authenticator")).toContainText("Account security");
  await own.getByRole("button", { name: `Actions for ${admin.email}` }).click();
  await expect(page.getByRole("menuitem", { name: "Reset authenticator…" })).toHaveCount(0);
  await page.keyboard.press("Escape");

  await page.goto(`/admin/users?q=${encodeURIComponent(person.email)}`);
  const row = page.getByTestId("user-row").filter({ hasText: person.email });
  await expect(row.getByTestId("user-authenticator")).toContainText("Set up");
  const confirm = await userMenu(page, person.email, "Reset authenticator…");
  await expect(confirm).toContainText(`Reset the authenticator of ${person.email}?`);
  expect(await seriousViolations(page), "the users page with the reset confirmation").toEqual([]);
  await confirm.getByRole("button", { name: "Reset now" }).click();
  // Nothing reset before the code.
  await expect(page.getByTestId("step-up-dialog")).toBeVisible();
  expect(await conn.db.select().from(secondFactors).where(eq(secondFactors.userId, person.id))).toHaveLength(1);
  await enterCode(page, codeAt(admin.secret, new Date()));
  await expect(page.getByTestId("step-up-dialog")).toBeHidden();
  await expect(row).toContainText(`Reset: ${person.email} no longer has an authenticator and has been emailed.`);
  expect(await conn.db.select().from(secondFactors).where(eq(secondFactors.userId, person.id))).toHaveLength(0);
  const mails = await conn.db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(and(eq(emailMessages.to, person.email), eq(emailMessages.template, "second-factor-reset")));
  expect(mails).toHaveLength(1);
  const [event] = await conn.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "second_factor.reset"), eq(auditEvents.subjectId, person.id)));
  expect(event?.actorId).toBe(admin.id);
  expect(event?.data).toHaveProperty("stepUp");
  await page.reload();
  await expect(row.getByTestId("user-authenticator")).toContainText("None");
  await row.getByRole("button", { name: `Actions for ${person.email}` }).click();
  await expect(page.getByRole("menuitem", { name: "Reset authenticator…" })).toHaveCount(0);
});

test("a webhook endpoint's secret: adding one and rotating it (from its confirmation dialog) ask for a code, the form keeping what was typed", async ({ page }) => {
  const admin = await personWithAuthenticator("admin", "webhooks");
  const name = `Step-up hook ${tag}`;
  await signInByLink(page, admin.email);
  try {
    await page.goto("/admin/webhooks/new");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/stepup");
    // Disabled: it is sent nothing while the rest of the suite runs.
    await page.getByRole("checkbox", { name: /^Enabled/ }).uncheck();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const stepUp = page.getByTestId("step-up-dialog");
    await expect(stepUp).toBeVisible();
    await expect(page.locator("#name")).toHaveValue(name);
    expect(await conn.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.name, name))).toHaveLength(0);
    await enterCode(page, codeAt(admin.secret, new Date()));
    const added = page.getByRole("dialog", { name: "Webhook endpoint added" });
    await expect(added).toBeVisible();
    rememberSecret(await added.getByRole("textbox", { name: "Signing secret" }).inputValue());
    await added.getByRole("button", { name: "Done" }).click();
    await added.getByRole("button", { name: "I have copied it" }).click();
    await expect(page).toHaveURL(/\/admin\/webhooks\/[0-9a-f-]{36}$/);

    // 16 minutes later: rotating asks again, over its own confirmation.
    await conn.db.update(sessions).set({ steppedUpAt: new Date(Date.now() - 16 * 60_000) }).where(eq(sessions.userId, admin.id));
    const [before] = await conn.db.select({ secret: webhookEndpoints.secret }).from(webhookEndpoints).where(eq(webhookEndpoints.name, name));
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const confirm = page.getByRole("dialog", { name: `Rotate the signing secret of ${name}?` });
    await confirm.getByRole("button", { name: "Rotate secret" }).click();
    await expect(stepUp).toBeVisible();
    const [meanwhile] = await conn.db.select({ secret: webhookEndpoints.secret }).from(webhookEndpoints).where(eq(webhookEndpoints.name, name));
    expect(meanwhile?.secret).toBe(before?.secret);
    // The next 30-second code (the current one was used for the add).
    await enterCode(page, codeAt(admin.secret, new Date(Date.now() + 30_000)));
    const rotated = page.getByRole("dialog", { name: "New signing secret" });
    await expect(rotated).toBeVisible();
    rememberSecret(await rotated.getByRole("textbox", { name: "Signing secret" }).inputValue());
    await rotated.getByRole("button", { name: "Done" }).click();
    await rotated.getByRole("button", { name: "I have copied it" }).click();
    await expect(rotated).toBeHidden();
  } finally {
    await conn.db.delete(webhookEndpoints).where(eq(webhookEndpoints.name, name));
  }
});
