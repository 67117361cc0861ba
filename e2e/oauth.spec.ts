import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { seriousViolations } from "./helpers-products";
import { BASE_URL, approvedRequest, claimLinkFor, rememberSecret } from "./keys-helpers";
import { signInAs } from "./helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/** Issue 19 in the browser: an OAuth 2.0 product's claim shows a client once; the app page lists and revokes it. */
test("claim an OAuth client, get a token with the curl's credentials, verify it, revoke it on the app page", async ({ page }) => {
  await conn.sql`update plans set oauth_scopes = '{identity:read,identity:verify}' where name = 'Standard'`;
  const { email, appName } = await approvedRequest(conn, "identity");
  await signInAs(page, email);
  const claimLink = await claimLinkFor(page, email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  await page.getByRole("button", { name: "Show my key" }).click();
  await expect(page.getByRole("heading", { name: "Your new OAuth 2.0 client" })).toBeVisible();
  const clientId = await page.getByTestId("new-client-id").inputValue();
  const secret = await page.getByTestId("new-client-secret").inputValue();
  rememberSecret(secret);
  expect(clientId).toMatch(/^pcl_/);
  expect(secret).toMatch(/^pcs_/);
  await expect(page.getByTestId("token-curl")).toContainText(`curl -s -u '${clientId}:${secret}'`);
  await expect(page.getByTestId("token-curl")).toContainText(`${BASE_URL}/oauth/token`);
  expect(await seriousViolations(page)).toEqual([]);

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
  await expect(clients.getByText(clientId)).toBeVisible();
  await expect(clients.getByText("Active")).toBeVisible();
  await clients.getByText("Manage").click();
  expect(await seriousViolations(page)).toEqual([]);
  await clients.getByRole("button", { name: "Revoke (it leaked)" }).click();
  await expect(page.getByText("Client revoked.").first()).toBeVisible();
  await expect(page.getByTestId("oauth-client").getByText("Ended")).toBeVisible();
  await expect.poll(async () => (await verify()).status, { timeout: 5000 }).toBe(401);
});
