import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { claimCredential } from "@/lib/keys/claim-key";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { registerClientKey } from "./client-lifecycle";
import { purgeUsedJtis } from "./purge-used-jtis";
import { CLIENT_ASSERTION_TYPE, createOAuthServer } from "./server";

/**
 * Adversary's pass on the jti purge and the token endpoint's `aud`: the purge runs on the database's
 * clock, the assertion checks on the app's. An app clock behind the database's must not turn a purged
 * jti into a replayable assertion; an assertion for another URL must not pass.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const approver = userActor(await f.owner());
// AUTH_URL with a path and a trailing slash.
const baseUrl = "http://portal.test/portal/";
const tokenUrl = "http://portal.test/portal/oauth/token";

async function keyClient() {
  const { user, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
  const claimed = await claimCredential(t.db, token, user.id, { prefix: "ptk" });
  if (claimed.kind !== "oauth_client") throw new Error(`expected an OAuth client, got ${claimed.kind}`);
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  await registerClientKey(t.db, user.id, { id: claimed.client.id, publicKey: JSON.stringify(await exportJWK(publicKey)) });
  // Claimed an hour ago (an app clock behind the database's would find a client claimed just now not valid yet).
  await t.sql`update oauth_clients set valid_from = now() - interval '1 hour' where id = ${claimed.client.id}`;
  return { clientId: claimed.clientId, privateKey };
}

const assertion = (k: { clientId: string; privateKey: CryptoKey }, at: Date, aud: string | string[] = tokenUrl) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(k.clientId)
    .setSubject(k.clientId)
    .setAudience(aud)
    .setIssuedAt(Math.floor(at.getTime() / 1000))
    .setExpirationTime(Math.floor(at.getTime() / 1000) + 60)
    .setJti(crypto.randomUUID())
    .sign(k.privateKey);

const tokenRequest = (jwt: string) =>
  new Request(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: jwt }),
  });

describe("a used assertion's jti and the clocks", () => {
  async function uses(behindMs: number) {
    const behind = () => new Date(Date.now() - behindMs);
    const server = createOAuthServer({ db: t.db, sql: t.sql, baseUrl, now: behind });
    const k = await keyClient();
    const jwt = await assertion(k, behind());
    const statuses = [(await server.token(tokenRequest(jwt))).status, (await server.token(tokenRequest(jwt))).status];
    // The worker's purge, on the database's clock.
    await purgeUsedJtis(t.db);
    statuses.push((await server.token(tokenRequest(jwt))).status);
    return statuses;
  }

  it("an app clock five minutes behind the database's: the purge cannot make one assertion get two tokens", async () => {
    // The jti's expiry passed four minutes ago by the database's clock: before, the purge deleted it
    // and the same assertion got a second token (200, 401, 200).
    const statuses = await uses(5 * 60_000);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.slice(1)).toEqual([401, 401]);
  });

  it("an app clock within the margin (30 s behind): the assertion works once, and never again", async () => {
    expect(await uses(30_000)).toEqual([200, 401, 401]);
  });
});

describe("the token endpoint's aud, AUTH_URL with a path", () => {
  it("takes the token URL and the issuer, and nothing that only looks like them", async () => {
    const server = createOAuthServer({ db: t.db, sql: t.sql, baseUrl });
    const k = await keyClient();
    for (const aud of [tokenUrl, "http://portal.test/portal"]) {
      expect((await server.token(tokenRequest(await assertion(k, new Date(), aud)))).status, aud).toBe(200);
    }
    for (const aud of [
      "http://portal.test/portal/oauth/token/",
      "http://portal.test/portal/",
      "HTTP://PORTAL.TEST/portal/oauth/token",
      "http://portal.test/PORTAL/oauth/token",
      "http://portal.test/oauth/token",
      "http://portal.test",
      "http://portal.test/portal/oauth/introspect",
      "http://other-portal.test/portal/oauth/token",
      "https://portal.test/portal/oauth/token",
      "http://portal.test/portal/oauth/token?x=1",
      "",
    ]) {
      const res = await server.token(tokenRequest(await assertion(k, new Date(), aud)));
      expect(res.status, aud).toBe(401);
    }
  });
});
