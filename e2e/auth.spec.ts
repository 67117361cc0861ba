import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { users } from "../db/schema";
import { e2eDb } from "./db";
import { signInByLink, signInFromHere } from "./helpers";
import { freePort } from "./net";
import { ownInstance } from "./own-instance";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

test("a consumer signs in through the emailed link and sees their name", async ({ page }) => {
  await signInByLink(page, "consumer@portico.dev");
  await expect(page.getByTestId("signed-in-as")).toContainText("Cleo Consumer");
  // Consumers do not get an Admin link, and the page itself refuses them.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("a sign-in link works once", async ({ page, browser }) => {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill("someone-new@example.com");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const { latestLinkFor } = await import("./helpers");
  const link = await latestLinkFor(page, "someone-new@example.com");
  await page.goto(link);
  await expect(page.getByTestId("signed-in-as")).toContainText("someone-new@example.com");

  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(link);
  await expect(second.getByRole("heading", { name: "We could not sign you in" })).toBeVisible();
  await expect(second.getByText("expired or was already used")).toBeVisible();
  await other.close();
});

test("an owner can open the admin portal", async ({ page }) => {
  await signInByLink(page, "owner@portico.dev");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Admin portal" })).toBeVisible();
});

test("a malformed email gets a message beside the field", async ({ page }) => {
  await page.goto("/signin");
  for (const bad of ["", "not-an-email", "a@b", `${"x".repeat(300)}@example.com`]) {
    await page.getByLabel("Email address").fill(bad);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.locator("#email-error")).toBeVisible();
    await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");
  }
});

test("anonymous visitors are sent to sign-in from /admin, and /api answers JSON 401", async ({ page, request }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin/);
  const api = await request.get("/api/me");
  expect(api.status()).toBe(401);
  expect(await api.json()).toMatchObject({ error: { code: "unauthenticated" } });
});

test("a tampered session cookie is treated as signed out", async ({ page, context, baseURL }) => {
  await signInByLink(page, "consumer@portico.dev");
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name.endsWith("authjs.session-token"));
  expect(session).toBeTruthy();
  if (!session) return;
  await context.addCookies([{ ...session, value: `${session.value.slice(0, -4)}abcd` }]);
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  const me = await page.request.get(`${baseURL}/api/me`);
  expect(me.status()).toBe(401);
});

test("sign-in and /api/auth/providers stay on AUTH_URL's origin, not the host Next serves as", async ({ page, request, baseURL }) => {
  // The e2e server runs with AUTH_URL on 127.0.0.1 while Next calls itself localhost.
  const providers = (await (await request.get("/api/auth/providers")).json()) as Record<string, { signinUrl: string; callbackUrl: string }>;
  expect(providers.email?.signinUrl).toBe(`${baseURL}/api/auth/signin/email`);
  expect(providers.email?.callbackUrl).toBe(`${baseURL}/api/auth/callback/email`);

  const email = `origin-${randomBytes(4).toString("hex")}@example.com`;
  await signInByLink(page, email);
  expect(new URL(page.url()).origin).toBe(baseURL);
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
});

test("a deep link opened signed out comes back to that page after sign-in", async ({ page, browser }) => {
  // The link in an owner's "new request" email; the admin layout used to send everyone to /admin.
  const id = randomUUID();
  await page.goto(`/admin/requests/${id}`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await signInFromHere(page, "owner@portico.dev");
  await expect(page).toHaveURL(new RegExp(`/admin/requests\\?status=all&open=${id}$`));

  // A consumer page with its query string.
  const other = await browser.newContext();
  const consumer = await other.newPage();
  await consumer.goto("/requests?from=email");
  await expect(consumer).toHaveURL(/\/signin\?callbackUrl=%2Frequests%3Ffrom%3Demail/);
  await signInFromHere(consumer, `deep-${randomBytes(4).toString("hex")}@example.com`);
  await expect(consumer).toHaveURL(/\/requests\?from=email$/);
  await expect(consumer.getByTestId("signed-in-as")).toBeVisible();
  await other.close();
});

test("a return target on another origin is refused: sign-in ends on this site", async ({ page, baseURL }) => {
  for (const target of ["//evil.example/x", "https://evil.example/x", "/\\evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example"]) {
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
    const hidden = await page.locator('input[name="callbackUrl"]').first().getAttribute("value");
    expect(new URL(hidden ?? "", baseURL).origin, target).toBe(baseURL);
  }
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("https://evil.example/x")}`);
  await signInFromHere(page, `evil-${randomBytes(4).toString("hex")}@example.com`);
  expect(new URL(page.url()).origin).toBe(baseURL);
});

test("the sign-in form answers known, unknown and disabled addresses alike, and sends nothing to a disabled one", async ({ page }) => {
  const tag = randomBytes(4).toString("hex");
  const known = `known-${tag}@example.com`;
  const disabled = `disabled-${tag}@example.com`;
  await conn.db.insert(users).values([{ email: known }, { email: disabled, disabledAt: new Date() }]);
  for (const email of [known, `unknown-${tag}@example.com`, disabled]) {
    await page.goto("/signin");
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" }), email).toBeVisible();
  }
  await page.goto("/dev/mailbox");
  await expect(page.getByRole("listitem").filter({ hasText: known }).first()).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: disabled })).toHaveCount(0);
});

test("over the sign-in limits, the form and a direct POST answer as for a link sent, and store and send nothing", async ({ page, request }) => {
  const tag = randomBytes(4).toString("hex");
  const inbox = `flood-${tag}@example.com`;
  // This inbox's hour is full, as if the e2e server's 10,000 links (playwright.config.ts) had gone out.
  const hash = createHash("sha256").update(inbox).digest("hex");
  await conn.sql`insert into sign_in_attempts (address_hash) select ${hash} from generate_series(1, 10000)`;

  // The form, with a sub-address of the same inbox (server action: lib/auth signInWithEmail).
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(`flood-${tag}+again@example.com`);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  // A direct POST to Auth.js's endpoint (authRoute): the same redirect as for a link sent.
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const ask = (email: string) =>
    request.post("/api/auth/signin/email", { form: { email, csrfToken, callbackUrl: "/" }, maxRedirects: 0 });
  const sent = await ask(`fresh-${tag}@example.com`);
  const refused = await ask(inbox);
  expect(refused.status()).toBe(302);
  expect(refused.headers()["location"]).toBe(sent.headers()["location"]);
  expect(refused.headers()["location"]).toContain("/api/auth/verify-request");

  const [row] = await conn.sql<{ tokens: number; emails: number }[]>`
    select (select count(*)::int from verification_tokens where identifier like ${`flood-${tag}%`}) as tokens,
           (select count(*)::int from email_messages where "to" like ${`flood-${tag}%`}) as emails`;
  expect(row).toEqual({ tokens: 0, emails: 0 });
});

const NO_EMAIL_NOTICE = "This portal cannot send sign-in emails yet, so signing in is not possible here for now. Please tell the portal's administrator.";

test("this suite's server (dev mailbox on) offers the email form and did not warn about email at start", async ({ page }) => {
  await page.goto("/signin");
  await expect(page.getByLabel("Email address")).toBeVisible();
  await expect(page.getByTestId("no-email-notice")).toHaveCount(0);
  const log = fs.existsSync(".data/e2e-server.log") ? fs.readFileSync(".data/e2e-server.log", "utf8") : "";
  expect(log).not.toContain("Portico cannot send email");
});

test("in production with no email provider and no dev mailbox, /signin says a link cannot come, and the server warned at start", async ({ page }) => {
  // The suite's build on a database of its own: this server's worker (inline, the one that would
  // send) touches none of the suite's jobs.
  const server = await ownInstance("no email", await freePort(), { PORTICO_DEV_MAILBOX: "off", RESEND_API_KEY: "" });
  try {
    expect(server.web.log()).toMatch(/Portico cannot send email: .* Set RESEND_API_KEY and EMAIL_FROM \(see docs\/deploy\.md\)\./);
    await page.goto(`${server.url}/signin`);
    await expect(page.getByTestId("no-email-notice")).toHaveText(NO_EMAIL_NOTICE);
    // No form that would only pretend, and no promise of an email.
    await expect(page.getByLabel("Email address")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Email me a sign-in link" })).toHaveCount(0);
    await expect(page.getByText(/check your email|we will email/i)).toHaveCount(0);
    // Nor does the page a sign-in would have ended on.
    await page.goto(`${server.url}/signin/check-email?email=someone%40example.com`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("No sign-in email was sent");
    await expect(page.getByText(NO_EMAIL_NOTICE)).toBeVisible();
    await expect(page.getByText(/we sent/i)).toHaveCount(0);
    await expect(page).toHaveTitle(/^No sign-in email was sent/);
    // Nor does a POST straight to Auth.js's email sign-in, past the page: the portal has no email
    // provider then, so no sign-in token is stored and no message waits in the outbox for good.
    const { csrfToken } = (await (await page.request.get(`${server.url}/api/auth/csrf`)).json()) as { csrfToken: string };
    await page.request.post(`${server.url}/api/auth/signin/email`, {
      form: { csrfToken, email: "someone@example.com", callbackUrl: "/" },
      maxRedirects: 0,
    });
    const [row] = await server.conn.sql<{ tokens: number; emails: number }[]>`
      select (select count(*)::int from verification_tokens) as tokens,
             (select count(*)::int from email_messages) as emails`;
    expect(row).toEqual({ tokens: 0, emails: 0 });
  } finally {
    await server.stop();
  }
});
