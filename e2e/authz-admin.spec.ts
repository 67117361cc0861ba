import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { emailMessages, users } from "../db/schema";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { signInAs, signInByLink } from "./helpers";
import { userMenu } from "./helpers-admin-users";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function user(role: "consumer" | "owner" | "admin") {
  const [u] = await conn.db
    .insert(users)
    .values({ email: `${role}-${randomBytes(4).toString("hex")}@example.com`, name: `Admin matrix ${role}`, role })
    .returning();
  if (!u) throw new Error("user");
  return u;
}

const snapshot = async (id: string) =>
  (await conn.sql`select (select count(*)::int from audit_events) as audit, role, disabled_at, (select count(*)::int from sessions where user_id = ${id}) as sessions from users where id = ${id}`)[0];

test("user actions and the audit export refuse anonymous, consumers and owners, writing nothing", async ({ request }) => {
  const target = await user("consumer");
  await conn.sql`insert into sessions (session_token, user_id, expires) values (${`matrix-${target.id}`}, ${target.id}, now() + interval '1 day')`;
  const identities = {
    anonymous: undefined,
    consumer: await sessionCookie(conn, (await user("consumer")).id),
    owner: await sessionCookie(conn, (await user("owner")).id),
  };
  const page = { page: "/admin/users", file: "app/admin/users/actions.ts" };
  const cases: { page: string; file: string; name: string; fields: Record<string, string> }[] = [
    { ...page, name: "changeRoleAction", fields: { userId: target.id, role: "admin" } },
    { ...page, name: "setDisabledAction", fields: { userId: target.id, disabled: "true", revokeKeys: "on" } },
  ];
  const before = await snapshot(target.id);
  for (const [who, cookie] of Object.entries(identities)) {
    for (const c of cases) {
      const res = await callAction(request, { ...c, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(/Your session has ended|Your role does not allow/);
    }
    const csv = await request.get("/api/admin/audit/export", { headers: cookie ? { Cookie: cookie } : {} });
    expect(csv.status(), `export as ${who}`).toBe(cookie ? 403 : 401);
  }
  expect(await snapshot(target.id)).toEqual(before);

  // Bad input from an admin: a clear message, nothing written.
  const admin = await sessionCookie(conn, (await user("admin")).id);
  const bad = await callAction(request, { ...page, name: "changeRoleAction", fields: { userId: target.id, role: "superuser" }, cookie: admin });
  expect(bad.text).toContain("Choose consumer, owner or admin.");
  expect(await snapshot(target.id)).toEqual(before);

  // Control: an admin can, and the user's sessions end at once.
  const ok = await callAction(request, { ...page, name: "setDisabledAction", fields: { userId: target.id, disabled: "true" }, cookie: admin });
  expect(ok.text).toContain('"ok":true');
  const after = await snapshot(target.id);
  expect(after?.sessions).toBe(0);
  expect(after?.disabled_at).not.toBeNull();
  expect((await request.get("/api/admin/audit/export", { headers: { Cookie: admin } })).status()).toBe(200);
});

test("an admin disables a user (signed out at once, cannot sign in) and cannot demote the last admin", async ({ page, browser }) => {
  const email = `disable-me-${randomBytes(3).toString("hex")}@example.com`;
  const victimContext = await browser.newContext();
  const victim = await victimContext.newPage();
  // By the link: the one sign-in email counted below is this one.
  await signInByLink(victim, email);

  await signInAs(page, "admin@portico.dev", `/admin/users?q=${encodeURIComponent(email)}`);
  const row = page.getByTestId("user-row").filter({ hasText: email });
  await (await userMenu(page, email, "Disable…")).getByRole("button", { name: "Disable now" }).click();
  await expect(row).toContainText("Disabled; their sessions have ended.");

  await victim.goto("/apps");
  await expect(victim).toHaveURL(/\/signin/);
  await victim.getByLabel("Email address").fill(email);
  await victim.getByRole("button", { name: "Email me a sign-in link" }).click();
  // Answered like any other address, so the form does not tell who has an account; nothing is sent.
  await expect(victim.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const signInMail = await conn.db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(and(eq(emailMessages.to, email), eq(emailMessages.template, "sign-in")));
  expect(signInMail).toHaveLength(1);
  await victimContext.close();

  // Make every other admin a non-admin in the database, then try to demote the last one in the UI.
  const [me] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  const others = await conn.sql`update users set role = 'owner' where role = 'admin' and id <> ${me?.id ?? ""} returning id`;
  try {
    await page.goto(`/admin/users?q=admin%40portico.dev`);
    const mine = await userMenu(page, "admin@portico.dev", "Change role…");
    await mine.getByLabel("Role of admin@portico.dev").selectOption("owner");
    await mine.getByRole("button", { name: "Save role" }).click();
    await expect(mine.getByRole("alert")).toContainText("This is the last active admin. Make someone else an admin first.");
  } finally {
    for (const o of others) await conn.sql`update users set role = 'admin' where id = ${o.id as string}`;
  }
  const [still] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  expect(still?.role).toBe("admin");

  expect((await page.goto("/admin/users"))?.status()).toBe(200);
  await page.context().clearCookies();
  await signInAs(page, "owner@portico.dev");
  expect((await page.goto("/admin/users"))?.status()).toBe(403);
  expect((await page.goto("/admin/audit"))?.status()).toBe(403);
});

test("webhook pages and actions refuse anonymous, consumers and owners, writing nothing", async ({ request }) => {
  const [endpoint] = await conn.sql`insert into webhook_endpoints (id, name, url, enabled, disabled_reason, secret)
    values (gen_random_uuid()::text, ${`Authz hooks ${randomBytes(4).toString("hex")}`}, 'https://hooks.example.com/in', false, 'admin', 'not-a-real-sealed-secret') returning id`;
  const id = String(endpoint?.id);
  const [delivery] = await conn.sql`with e as (insert into webhook_events (id, type, body) values (${`msg_authz${randomBytes(6).toString("hex")}`}, 'webhook.test', '{}') returning id)
    insert into webhook_deliveries (id, event_id, endpoint_id, event_type, status) select gen_random_uuid()::text, e.id, ${id}, 'webhook.test', 'failed' from e returning id`;
  const deliveryId = String(delivery?.id);
  const webhooks = async () =>
    (await conn.sql`select
      (select count(*)::int from webhook_endpoints) as endpoints,
      (select count(*)::int from webhook_deliveries) as deliveries,
      (select count(*)::int from audit_events where subject_type = 'webhook_endpoint') as audit,
      (select e::text from webhook_endpoints e where id = ${id}) as row,
      (select d::text from webhook_deliveries d where id = ${deliveryId}) as delivery`)[0];
  const identities = {
    anonymous: undefined,
    consumer: await sessionCookie(conn, (await user("consumer")).id),
    owner: await sessionCookie(conn, (await user("owner")).id),
  };
  const at = { page: `/admin/webhooks/${id}`, file: "app/admin/webhooks/actions.ts" };
  const endpointFields = { name: "Owner's hook", url: "https://hooks.example.com/owner", eventTypes: "all", productIds: "all", enabled: "true" };
  const cases: { page: string; file: string; name: string; fields: Record<string, string> }[] = [
    { ...at, name: "addWebhookEndpointAction", fields: endpointFields },
    { ...at, name: "editWebhookEndpointAction", fields: { ...endpointFields, id } },
    { ...at, name: "setWebhookEndpointEnabledAction", fields: { id, enabled: "true" } },
    { ...at, name: "rotateWebhookSecretAction", fields: { id } },
    { ...at, name: "sendTestEventAction", fields: { id } },
    { ...at, name: "removeWebhookEndpointAction", fields: { id } },
    { ...at, name: "resendDeliveryAction", fields: { id, deliveryId } },
    { ...at, name: "recoverFailedDeliveriesAction", fields: { id, since: "2020-01-01T00:00" } },
  ];
  const before = await webhooks();
  for (const [who, cookie] of Object.entries(identities)) {
    for (const c of cases) {
      const res = await callAction(request, { ...c, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(/Your session has ended|Your role does not allow/);
      expect(res.text, `${c.name} as ${who}`).not.toContain("whsec_");
    }
    if (cookie) {
      for (const path of ["/admin/webhooks", "/admin/webhooks/new", `/admin/webhooks/${id}`, `/admin/webhooks/${id}/edit`, `/admin/webhooks/${id}/messages/${deliveryId}`]) {
        const res = await request.get(path, { headers: { Cookie: cookie }, maxRedirects: 0 });
        expect(res.status(), `${path} as ${who}`).toBe(403);
        expect(await res.text(), `${path} as ${who}`).toContain("You do not have access to this page");
      }
    }
  }
  expect(await webhooks()).toEqual(before);

  // An admin's bad input: a clear message beside the field, nothing written.
  const admin = await sessionCookie(conn, (await user("admin")).id);
  const bad = await callAction(request, { ...at, name: "addWebhookEndpointAction", fields: { ...endpointFields, url: "ftp://hooks.example.com/x", eventTypes: '["no.such.event"]' }, cookie: admin });
  expect(bad.text).toContain("Check the highlighted fields.");
  expect(bad.text).toContain("Choose events from the list.");
  const badSince = await callAction(request, { ...at, name: "recoverFailedDeliveriesAction", fields: { id, since: "yesterday" }, cookie: admin });
  expect(badSince.text).toContain("Enter a date and time (UTC)");
  expect(await webhooks()).toEqual(before);
  // Control: the same page and action work for an admin.
  expect((await request.get(`/admin/webhooks/${id}`, { headers: { Cookie: admin } })).status()).toBe(200);
  const enabled = await callAction(request, { ...at, name: "setWebhookEndpointEnabledAction", fields: { id, enabled: "true" }, cookie: admin });
  expect(enabled.text).toContain('"ok":true');
  await conn.sql`delete from webhook_endpoints where id = ${id}`;
});
