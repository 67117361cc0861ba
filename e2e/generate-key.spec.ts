import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { callAction, sessionCookie } from "./actions";
import { e2eDb, userIdByEmail } from "./db";
import { signInAs, toast } from "./helpers";
import { approvedRequest, claimLinkFor, createOAuthClient, rememberSecret } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const generate = { file: "app/(consumer)/requests/actions.ts", name: "generateKeyAction" };

test("Generate key works once from the request page; reload does not show it again; the email link then says it was used", async ({ page, request }) => {
  const target = await approvedRequest(conn, "payments");
  await signInAs(page, target.email, `/requests/${target.requestId}`);
  await expect(page.getByTestId("request-status").locator("[data-status]")).toHaveAttribute("data-status", "approved");
  // Generate key leads; the red Cancel request comes after it, not first on the page.
  const order = await page
    .getByRole("button", { name: /^(Generate key|Cancel request)$/ })
    .evaluateAll((buttons) => buttons.map((b) => b.textContent?.trim()));
  expect(order).toEqual(["Generate key", "Cancel request"]);

  await page.getByRole("button", { name: "Generate key" }).click();
  const field = page.getByTestId("revealed-key");
  await expect(field).toBeVisible();
  // Focus goes to the key, ready to copy.
  await expect(field).toBeFocused();
  const key = await field.inputValue();
  rememberSecret(key);
  expect(key).toMatch(/^ptk_[0-9A-Za-z]{49}$/);
  const ok = await request.get("/api/v1/keys/verify?product=payments", { headers: { Authorization: `Bearer ${key}` } });
  expect(ok.status()).toBe(200);
  // The page around the key says what a reload would: active, and no Cancel request or new claim
  // link (both refused once the key exists), while the key stays on screen.
  await expect(page.getByTestId("request-status").locator("[data-status]")).toHaveAttribute("data-status", "available");
  await expect(page.getByRole("button", { name: "Cancel request" })).toHaveCount(0);
  await expect(page.getByText("Prefer the email link?")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send me a new claim link" })).toHaveCount(0);
  await expect(field).toHaveValue(key);

  // Shown once: after a reload the page lists the key by its start only, with no Generate button.
  await page.reload();
  await expect(page.getByTestId("revealed-key")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Generate key" })).toHaveCount(0);
  await expect(page.getByTestId("request-status").locator("[data-status]")).toHaveAttribute("data-status", "available");
  await expect(page.getByTestId("request-key")).toHaveCount(1);
  await expect(page.getByTestId("request-key")).toContainText(key.slice(0, 8));
  expect(await page.content()).not.toContain(key);

  // The emailed link now says it was used, and where to see the key's details.
  const claimLink = await claimLinkFor(page, target.email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  await expect(page.getByTestId("claim-refusal")).toContainText("already been used");
  await expect(page.getByTestId("claim-refusal")).toContainText("request page shows the key's details");
  await page.getByRole("link", { name: "Open the request" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${target.requestId}$`));

  // A second Generate posted straight (a stale tab) is refused and shows no key.
  const cookie = await sessionCookie(conn, await userIdByEmail(conn.db, target.email));
  const again = await callAction(request, { page: `/requests/${target.requestId}`, ...generate, fields: { requestId: target.requestId }, cookie });
  expect(again.text).toContain("already generated");
  expect(again.text).not.toContain("ptk_");
});

test("an auto-approved submit lands on the request page, ready to Generate key", async ({ page }) => {
  const email = `auto-${randomBytes(4).toString("hex")}@example.com`;
  await signInAs(page, email);
  // Into the cart as the product page's button puts it (the catalogue's own specs test that button).
  const [weather] = await conn.db.select().from(products).where(eq(products.slug, "weather"));
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  if (!weather || !free) throw new Error("seed data missing");
  await addToCart(conn.db, await userIdByEmail(conn.db, email), { productId: weather.id, planId: free.id });
  await page.goto("/cart");
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByLabel("New app name").fill("Auto app");
  await page.getByLabel("Why do you need access?").fill("Trying the weather API.");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  await expect(page.getByRole("status").filter({ hasText: "approved automatically" })).toContainText("Generate your key below");
  await page.getByRole("button", { name: "Generate key" }).click();
  const key = await page.getByTestId("revealed-key").inputValue();
  rememberSecret(key);
  expect(key).toMatch(/^ptk_/);
});

async function snapshot(requestId: string) {
  const [row] = await conn.sql`select
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from api_keys) as keys,
    (select count(*)::int from claim_links where used_at is not null or superseded_at is not null) as spent_links,
    (select status from access_requests where id = ${requestId}) as status`;
  return row;
}

test("another consumer, the product's owner and an admin cannot generate a requester's key; nothing is written", async ({ request }) => {
  const target = await approvedRequest(conn, "payments");
  const [other] = await conn.db
    .insert(users)
    .values({ email: `other-${randomBytes(4).toString("hex")}@example.com`, name: "Other consumer" })
    .returning();
  if (!other) throw new Error("user");
  const identities = {
    anonymous: undefined,
    "another consumer": await sessionCookie(conn, other.id),
    "the product's owner": await sessionCookie(conn, target.ownerId),
    "an admin": await sessionCookie(conn, await userIdByEmail(conn.db, "admin@portico.dev")),
  };
  const before = await snapshot(target.requestId);
  for (const [who, cookie] of Object.entries(identities)) {
    const res = await callAction(request, { page: `/requests/${target.requestId}`, ...generate, fields: { requestId: target.requestId }, cookie });
    expect(res.status, who).toBeLessThan(500);
    expect(res.text, who).toMatch(/Your session has ended|was not found/);
    expect(res.text, who).not.toContain("ptk_");
  }
  expect(await snapshot(target.requestId)).toEqual(before);

  // Control: the requester can, so the refusals above are real.
  const mine = await sessionCookie(conn, await userIdByEmail(conn.db, target.email));
  const ok = await callAction(request, { page: `/requests/${target.requestId}`, ...generate, fields: { requestId: target.requestId }, cookie: mine });
  expect(ok.text).toContain('"ok":true');
  const key = /ptk_[0-9A-Za-z]{49}/.exec(ok.text)?.[0];
  expect(key).toBeTruthy();
  if (key) rememberSecret(key);
  const [after] = await conn.sql`select status from access_requests where id = ${target.requestId}`;
  expect(after?.status).toBe("available");
});

test("My requests at 390 px shows each request's product, app and status, and the page is no wider than the phone", async ({ page }) => {
  const target = await approvedRequest(conn, "payments");
  await signInAs(page, target.email);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/requests");
  const card = page.getByTestId("request-card").filter({ hasText: target.appName });
  await expect(card).toBeVisible();
  await expect(card.getByRole("link", { name: "Payments API" })).toBeVisible();
  await expect(card.getByText(target.appName)).toBeVisible();
  await expect(card.locator("[data-status]")).toBeVisible();
  await expect(card.locator("[data-status]")).toHaveAttribute("data-status", "approved");
  await expect(card.getByText("Requested")).toBeVisible();
  // The desktop table is not what a phone gets.
  await expect(page.getByTestId("request-row").first()).toBeHidden();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // The card leads to the request, where the key is generated.
  await card.getByRole("link", { name: "Payments API" }).click();
  await expect(page.getByRole("button", { name: "Generate key" })).toBeVisible();
});

test("Give up access says so in a toast, though the page then shows the request checked in without its form", async ({ page }) => {
  const target = await approvedRequest(conn, "payments");
  await signInAs(page, target.email, `/requests/${target.requestId}`);
  await page.getByRole("button", { name: "Generate key" }).click();
  rememberSecret(await page.getByTestId("revealed-key").inputValue());
  await page.reload();
  await page.getByRole("button", { name: "Give up access" }).click();
  await page.getByRole("button", { name: "Give up access and stop the key" }).click();
  await expect(page.getByTestId("request-status").locator("[data-status]")).toHaveAttribute("data-status", "completed");
  await expect(toast(page, "Access given up (checked in).")).toBeVisible();
});

test("an OAuth 2.0 product's request page creates its client once, and the emailed link then speaks of the client", async ({ page, request }) => {
  const target = await approvedRequest(conn, "identity");
  await signInAs(page, target.email, `/requests/${target.requestId}`);
  await expect(page.getByRole("heading", { name: "Your OAuth client" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Generate key" })).toHaveCount(0);
  const { clientId, secret } = await createOAuthClient(page);
  // The client works: its credentials get a token (no API key was made).
  const token = await request.post("/oauth/token", {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` },
    form: { grant_type: "client_credentials" },
  });
  expect(token.status()).toBe(200);

  // After a reload: no secret, no button; the request names its client and points to the app page.
  await page.reload();
  await expect(page.getByRole("button", { name: "Create OAuth client" })).toHaveCount(0);
  await expect(page.getByTestId("request-key")).toHaveCount(0);
  await expect(page.getByTestId("request-oauth-clients")).toContainText(clientId);
  await expect(page.getByTestId("request-oauth-clients")).toContainText("Active");
  await expect(page.getByTestId("timeline-event").filter({ hasText: "OAuth client created on the request page" })).toHaveCount(1);
  expect(await page.content()).not.toContain(secret);
  await page.getByRole("link", { name: /Roll its secret/ }).click();
  await expect(page.getByTestId("oauth-clients").getByRole("link", { name: clientId })).toBeVisible();

  // The approval email offered the same client; its link is now used, in a client's words.
  const claimLink = await claimLinkFor(page, target.email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  await expect(page.getByTestId("claim-refusal")).toContainText("the client secret was shown once");
});
