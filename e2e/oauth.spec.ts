import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { seriousViolations } from "./helpers-products";
import { BASE_URL, approvedRequest, claimLinkFor, createOAuthClient, rememberSecret } from "./keys-helpers";
import { signInAs } from "./helpers";
import { inBothThemes } from "./helpers-theme";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/** Issue 19 in the browser: an OAuth 2.0 product's claim shows a client once; the app page lists and revokes it. */
test("claim an OAuth client, get a token with the curl's credentials, verify it, revoke it on the app page", async ({ page }) => {
  // The seed gives the Standard plan its OAuth scopes (db/seed.ts).
  const { email, appName } = await approvedRequest(conn, "identity");
  await signInAs(page, email);
  const claimLink = await claimLinkFor(page, email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  // The claim speaks of a client, not a key.
  await expect(page.getByRole("heading", { level: 1, name: "Claim your OAuth 2.0 client" })).toBeVisible();
  await expect(page.getByText("client ID and a client secret")).toBeVisible();
  await expect(page.getByRole("button", { name: "Generate key" })).toHaveCount(0);
  const { clientId, secret } = await createOAuthClient(page);
  await expect(page.getByTestId("token-curl")).toContainText(`curl -s -u '${clientId}:${secret}'`);
  await expect(page.getByTestId("token-curl")).toContainText(`${BASE_URL}/oauth/token`);
  await expect(page.getByTestId("token-curl")).toContainText("scope=identity%3Aread%20accounts%3Aread");
  expect(await seriousViolations(page)).toEqual([]);
  // The link is used up; opened again, it speaks of the client's secret.
  await page.goto(claimLink);
  await expect(page.getByTestId("claim-refusal")).toContainText("the client secret was shown once");

  // The curl's call, and verify with the token.
  const tokenRes = await fetch(`${BASE_URL}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  expect(tokenRes.status).toBe(200);
  expect(tokenRes.headers.get("cache-control")).toBe("no-store");
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const verify = () => fetch(`${BASE_URL}/api/v1/keys/verify?product=identity`, { headers: { authorization: `Bearer ${token}` } });
  const ok = await verify();
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ valid: true, clientId, products: ["identity"] });
  expect((await (await fetch(`${BASE_URL}/.well-known/oauth-authorization-server`)).json()).token_endpoint).toBe(`${BASE_URL}/oauth/token`);
  expect(((await (await fetch(`${BASE_URL}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys.length).toBeGreaterThanOrEqual(2);

  // The app page lists the client; revoking it stops the token at verify at once.
  await page.goto("/apps");
  await page.getByRole("link", { name: appName }).first().click();
  const clients = page.getByTestId("oauth-clients");
  await expect(clients.getByRole("link", { name: clientId })).toBeVisible();
  await expect(clients.getByText("Active")).toBeVisible();
  await clients.getByText("Manage").click();
  expect(await seriousViolations(page)).toEqual([]);
  await clients.getByRole("button", { name: "Revoke (it leaked)" }).click();
  await expect(page.getByText("Client revoked.").first()).toBeVisible();
  await expect(page.getByTestId("oauth-client").getByText("Ended")).toBeVisible();
  await expect.poll(async () => (await verify()).status, { timeout: 5000 }).toBe(401);
});

test("an OAuth product's page shows its token URL, grant type, and each plan's scopes and token lifetime", async ({ page }) => {
  await page.goto("/apis/identity");
  const how = page.getByTestId("how-to-authenticate");
  await expect(how.getByRole("heading", { level: 2, name: "How to authenticate" })).toBeVisible();
  // The same URL the metadata names (lib/oauth/endpoints.ts), absolute on the portal's public URL.
  const metadata = (await (await fetch(`${BASE_URL}/.well-known/oauth-authorization-server`)).json()) as { token_endpoint: string };
  await expect(how.getByTestId("token-url")).toHaveText(metadata.token_endpoint);
  await expect(how).toContainText("client_credentials");
  // The plans keep the owner's order; each lists its scopes and token lifetime.
  const plans = page.getByTestId("plan");
  await expect(plans.getByRole("heading", { level: 3 })).toHaveText(["Standard", "Enterprise"]);
  await expect(plans.nth(0).getByTestId("plan-scopes").getByRole("listitem")).toHaveText(["identity:read", "accounts:read"]);
  await expect(plans.nth(1).getByTestId("plan-scopes").getByRole("listitem")).toHaveText(["identity:read", "identity:verify", "accounts:read"]);
  await expect(plans.nth(0).getByTestId("plan-token-lifetime")).toHaveText("10 minutes");
  await expect(plans.nth(0).getByText("Client lifetime")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  // An API-key product has none of it.
  await page.goto("/apis/payments");
  await expect(page.getByTestId("plan")).toHaveCount(3);
  await expect(page.getByTestId("how-to-authenticate")).toHaveCount(0);
  await expect(page.getByTestId("plan-scopes")).toHaveCount(0);
});

// Accounts (OAuth 2.0, no OpenAPI document): the page without the API reference, whose own dark-mode
// race is not this spec's subject.
test("the OAuth product page at 390 px, light and dark: no overflow, no serious axe violations", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/apis/accounts");
  await inBothThemes(page, async (theme) => {
    await expect(page.getByTestId("token-url")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), theme).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page), theme).toEqual([]);
  });
});
