import fc from "fast-check";
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, describe, expect, it } from "vitest";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { until } from "@/tests/changes";
import { oauthTestbed } from "@/tests/oauth-http";
import { snapshotTables, withoutWrites } from "@/tests/table-snapshot";
import { endClient, registerClientKey, rollClientSecret } from "./client-lifecycle";
import { rotateSigningKeys } from "./signing-keys";

/** Issue 19: Portico as the authorization server (client credentials), proven with openid-client. */
const { t, approver, baseUrl, srv, newClient } = await oauthTestbed();
afterAll(() => srv.close());

const discover = (clientId: string, auth: oidc.ClientAuth) =>
  oidc.discovery(new URL(srv.base), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests], algorithm: "oauth2" });

const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${srv.base}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body),
  });
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` });
const verify = (token: string, product?: string) =>
  fetch(`${srv.base}/api/v1/keys/verify${product ? `?product=${product}` : ""}`, { headers: { authorization: `Bearer ${token}` } });
const remoteJwks = () => createRemoteJWKSet(new URL(`${srv.base}/.well-known/jwks.json`));

describe("claiming an OAuth 2.0 product's request", () => {
  it("creates an OAuth client (no ptk_ key), its secret stored only as a hash", async () => {
    const c = await newClient();
    expect(c.clientId).toMatch(/^pcl_/);
    expect(c.secret).toMatch(/^pcs_/);
    const keys = await t.sql`select 1 from api_keys where request_id = ${c.request.id}`;
    expect(keys).toHaveLength(0);
    const [row] = await t.sql<{ secret_hash: string }[]>`select secret_hash from oauth_clients where id = ${c.id}`;
    expect(row?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await snapshotTables(t.sql))).not.toContain(c.secret);
  });
});

describe("openid-client obtains tokens", () => {
  it("client_secret_basic: an RFC 9068 JWT that verify accepts (200), 403 for a product not in it, introspection active", async () => {
    const c = await newClient();
    const config = await discover(c.clientId, oidc.ClientSecretBasic(c.secret));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "identity:read" });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(600);
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: srv.base, sub: c.clientId, client_id: c.clientId, scope: "identity:read", products: ["identity"] });
    expect(claims.aud).toEqual([`${srv.base}/apis/identity`]);
    // the JWKS validates it offline
    await jwtVerify(tokens.access_token, remoteJwks(), { issuer: srv.base, audience: `${srv.base}/apis/identity` });
    const ok = await verify(tokens.access_token, "identity");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ valid: true, keyId: c.id, clientId: c.clientId, products: ["identity"], scope: "identity:read" });
    expect((await verify(tokens.access_token, "payments")).status).toBe(403);
    const intro = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(intro).toMatchObject({ active: true, client_id: c.clientId, scope: "identity:read" });
  });

  it("client_secret_post, and all the plan's scopes when none is asked for", async () => {
    const c = await newClient();
    const config = await discover(c.clientId, oidc.ClientSecretPost(c.secret));
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.scope).toBe("identity:read identity:verify");
  });

  it("private_key_jwt: a registered public key, no secret; an assertion is single use", async () => {
    const c = await newClient();
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    await registerClientKey(t.db, c.user.id, { id: c.id, publicKey: JSON.stringify(await exportJWK(publicKey)) });
    // the secret is gone
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status).toBe(401);
    const config = await discover(c.clientId, oidc.PrivateKeyJwt(privateKey));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "identity:verify" });
    expect((await verify(tokens.access_token, "identity")).status).toBe(200);
    // a replayed assertion is refused
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(c.clientId)
      .setSubject(c.clientId)
      .setAudience(`${srv.base}/oauth/token`)
      .setIssuedAt()
      .setExpirationTime("2m")
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    const body = { grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion };
    // a refusal after the assertion checked out (scope outside the plan) writes nothing: the assertion is not used up
    const outside = (await withoutWrites(t.sql, () => form({ ...body, scope: "admin" }))) as Response;
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ error: "invalid_scope" });
    expect((await form(body)).status).toBe(200);
    const replay = await form(body);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("revocation: verify refuses at once, offline JWT validation only at expiry", () => {
  it("a revoked client's unexpired token: verify 401 at the next call, the JWKS path still accepts it", async () => {
    const c = await newClient();
    const res = await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret));
    const { access_token: token } = (await res.json()) as { access_token: string };
    expect((await verify(token)).status).toBe(200);
    await endClient(t.db, c.user.id, { id: c.id, reason: "revoked", comment: "leaked" });
    expect(await until(async () => (await verify(token)).status === 401, 2000)).toBeLessThan(2000);
    // A gateway validating the JWT offline cannot know: it accepts the token until exp.
    const { payload } = await jwtVerify(token, remoteJwks(), { issuer: srv.base });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    // and the client gets no new token
    const again = await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret));
    expect(again.status).toBe(401);
  });

  it("revoking the access request ends its client too", async () => {
    const c = await newClient();
    const { access_token: token } = (await (await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).json()) as { access_token: string };
    await revokeRequests(t.db, approver, { requestIds: [c.request.id], reason: "done", baseUrl });
    expect(await until(async () => (await verify(token)).status === 401, 2000)).toBeLessThan(2000);
  });

  it("RFC 7009: a revoked access token is refused by verify and inactive at introspection", async () => {
    const c = await newClient();
    const config = await discover(c.clientId, oidc.ClientSecretBasic(c.secret));
    const tokens = await oidc.clientCredentialsGrant(config);
    await oidc.tokenRevocation(config, tokens.access_token);
    expect(await until(async () => (await verify(tokens.access_token)).status === 401, 2000)).toBeLessThan(2000);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});

describe("roll and rotation", () => {
  it("roll: the old secret works during the grace period, the new one at once", async () => {
    const c = await newClient();
    const { clientSecret } = await rollClientSecret(t.db, c.user.id, { id: c.id, graceHours: 1 });
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status).toBe(200);
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, clientSecret))).status).toBe(200);
    const { clientSecret: third } = await rollClientSecret(t.db, c.user.id, { id: c.id, graceHours: 0 });
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, clientSecret))).status).toBe(401);
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, third))).status).toBe(200);
  });

  it("signing-key rotation: the JWKS lists retired, active and next; old tokens still verify; new ones carry the new kid", async () => {
    const c = await newClient();
    const get = async () => ((await (await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).json()) as { access_token: string }).access_token;
    const before = await get();
    const oldKid = decodeProtectedHeader(before).kid;
    const { active, retired } = await rotateSigningKeys(t.db);
    expect(retired).toBe(oldKid);
    const jwks = (await (await fetch(`${srv.base}/.well-known/jwks.json`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, active]));
    expect(jwks.keys.length).toBeGreaterThanOrEqual(3);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    expect((await verify(before)).status).toBe(200);
    // the token endpoint keeps its signing key a few seconds
    expect(await until(async () => decodeProtectedHeader(await get()).kid === active, 8000)).toBeLessThan(8000);
    const after = await get();
    expect((await verify(after)).status).toBe(200);
  });
});

describe("refusals: the right OAuth error, never a 500, nothing written", () => {
  it("wrong secret, unknown client, no client auth → invalid_client 401 with WWW-Authenticate", async () => {
    const c = await newClient();
    for (const headers of [basic(c.clientId, "pcs_wrong"), basic("pcl_AAAAAAAAAAAAAAAAAAAAAA", c.secret), {}]) {
      const res = (await withoutWrites(t.sql, () => form({ grant_type: "client_credentials" }, headers))) as Response;
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toMatchObject({ error: "invalid_client" });
    }
  });

  it("scope outside the plan → invalid_scope; another grant → unsupported_grant_type; not a form → invalid_request", async () => {
    const c = await newClient();
    const scope = (await withoutWrites(t.sql, () => form({ grant_type: "client_credentials", scope: "identity:read admin" }, basic(c.clientId, c.secret)))) as Response;
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: "invalid_scope" });
    const grant = await form({ grant_type: "password", username: "a", password: "b" }, basic(c.clientId, c.secret));
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: "unsupported_grant_type" });
    const json = await fetch(`${srv.base}/oauth/token`, { method: "POST", headers: { "content-type": "application/json", ...basic(c.clientId, c.secret) }, body: "{}" });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });
  });

  it("an expired client gets no token and its tokens stop at verify", async () => {
    const c = await newClient();
    const { access_token: token } = (await (await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).json()) as { access_token: string };
    await t.sql`update oauth_clients set expires_at = now() - interval '1 second' where id = ${c.id}`;
    expect(await until(async () => (await verify(token)).status === 401, 2000)).toBeLessThan(2000);
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status).toBe(401);
  });

  it("verify refuses a tampered token, an expired one, alg none and a token signed by another key (401, never 500)", async () => {
    const c = await newClient();
    const { access_token: token } = (await (await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).json()) as { access_token: string };
    const [h, p, s] = token.split(".") as [string, string, string];
    const claims = decodeJwt(token);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const tampered = `${h}.${b64({ ...claims, products: ["identity", "payments"] })}.${s}`;
    const none = `${b64({ alg: "none", typ: "at+jwt" })}.${p}.`;
    const other = await generateKeyPair("ES256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: decodeProtectedHeader(token).kid }).sign(other.privateKey);
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "nope" })
      .sign(other.privateKey);
    for (const bad of [tampered, none, forged, expired, `${h}.${p}`, `${token}x`]) {
      const res = await verify(bad);
      expect(res.status, bad.slice(0, 40)).toBe(401);
    }
  });

  it("fuzz: any form at the token endpoint → a 4xx, and nothing written", async () => {
    const c = await newClient();
    const names = ["grant_type", "scope", "client_id", "client_secret", "client_assertion", "client_assertion_type", "x"];
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("client_credentials", c.clientId, "identity:read", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "eyJhbGciOiJub25lIn0.e30."));
    const before = await snapshotTables(t.sql);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 6 }),
        fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
        async (pairs, auth) => {
          const body = new URLSearchParams(pairs);
          const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
          if (auth !== undefined) headers.authorization = /[^\x20-\x7e]/.test(auth) ? "Basic !!" : `Basic ${auth}`;
          const res = await fetch(`${srv.base}/oauth/token`, { method: "POST", headers, body });
          await res.arrayBuffer();
          return res.status >= 400 && res.status < 500;
        },
      ),
      { numRuns: 150 },
    );
    expect(await snapshotTables(t.sql)).toEqual(before);
  });

  it("metadata names the endpoints (RFC 8414)", async () => {
    const meta = (await (await fetch(`${srv.base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: srv.base,
      token_endpoint: `${srv.base}/oauth/token`,
      jwks_uri: `${srv.base}/.well-known/jwks.json`,
      grant_types_supported: ["client_credentials"],
    });
  });
});
