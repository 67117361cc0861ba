import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from "jose";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "@/db/schema";
import { afterAll, describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { deleteApp } from "@/lib/apps/delete-app";
import { createVerifyContext } from "@/lib/keys/verify-context";
import { verifyKey } from "@/lib/keys/verify-key";
import { setDisabled } from "@/lib/users/user-admin";
import { oauthTestbed } from "@/tests/oauth-http";
import { endClient, registerClientKey, rollClientSecret } from "./client-lifecycle";
import { CLIENT_ASSERTION_TYPE, createOAuthServer } from "./server";

/** Issue 19, adversary's pass: the attacks the builder's tests do not make. */
const { t, f, baseUrl, listen, srv, newClient } = await oauthTestbed();
afterAll(() => srv.close());

async function keyClient() {
  const c = await newClient();
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  await registerClientKey(t.db, c.user.id, { id: c.id, publicKey: JSON.stringify(await exportJWK(publicKey)) });
  return { ...c, publicKey, privateKey };
}

const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${srv.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body),
  });
const form = (body: Record<string, string>, headers: Record<string, string> = {}) => post("/oauth/token", body, headers);
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` });
const verify = (token: string, product?: string) =>
  fetch(`${srv.base}/api/v1/keys/verify${product ? `?product=${product}` : ""}`, { headers: { authorization: `Bearer ${token}` } });
const tokenOf = async (c: { clientId: string; secret: string }, scope?: string) => {
  const res = await form({ grant_type: "client_credentials", ...(scope !== undefined ? { scope } : {}) }, basic(c.clientId, c.secret));
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; scope: string };
};
const assertionBody = (assertion: string) => ({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion });
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

async function expectInvalidClient(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  expect(await res.json()).toMatchObject({ error: "invalid_client" });
}

describe("client authentication confusion", () => {
  it("a private_key_jwt client's (former) secret and a secret client's assertion are both invalid_client", async () => {
    const k = await keyClient();
    await expectInvalidClient(await form({ grant_type: "client_credentials" }, basic(k.clientId, k.secret)));
    await expectInvalidClient(await form({ grant_type: "client_credentials", client_id: k.clientId, client_secret: k.secret }));
    const s = await newClient();
    const { privateKey } = await generateKeyPair("ES256");
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(s.clientId).setSubject(s.clientId)
      .setAudience(`${srv.base}/oauth/token`).setIssuedAt().setExpirationTime("2m").setJti(crypto.randomUUID()).sign(privateKey);
    await expectInvalidClient(await form(assertionBody(assertion)));
  });

  it("client_secret_basic with form-urlencoded id and secret (RFC 6749 §2.3.1) works; Basic + client_secret at once → invalid_request", async () => {
    const c = await newClient();
    const enc = (s: string) => s.replace(/_/g, "%5F");
    const ok = await form({ grant_type: "client_credentials" }, basic(enc(c.clientId), enc(c.secret)));
    expect(ok.status).toBe(200);
    const both = await form({ grant_type: "client_credentials", client_id: c.clientId, client_secret: c.secret }, basic(c.clientId, c.secret));
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: "invalid_request" });
    const badBasic = await form({ grant_type: "client_credentials" }, { authorization: "Basic !!!" });
    await expectInvalidClient(badBasic);
  });
});

describe("private_key_jwt assertions", () => {
  const signed = (k: { clientId: string; privateKey: CryptoKey }, edit: (j: SignJWT) => SignJWT = (j) => j) =>
    edit(
      new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(k.clientId).setSubject(k.clientId)
        .setAudience(`${srv.base}/oauth/token`).setIssuedAt().setExpirationTime("2m").setJti(crypto.randomUUID()),
    ).sign(k.privateKey);

  it("wrong aud, iss≠sub, missing exp, missing jti, alg none, HS256 keyed with the public key → invalid_client", async () => {
    const k = await keyClient();
    const other = await newClient();
    await expectInvalidClient(await form(assertionBody(await signed(k, (j) => j.setAudience("http://elsewhere.test/oauth/token")))));
    await expectInvalidClient(await form(assertionBody(await signed(k, (j) => j.setSubject(other.clientId)))));
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(k.clientId).setSubject(k.clientId)
      .setAudience(`${srv.base}/oauth/token`).setIssuedAt().setJti(crypto.randomUUID()).sign(k.privateKey);
    await expectInvalidClient(await form(assertionBody(noExp)));
    const noJti = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(k.clientId).setSubject(k.clientId)
      .setAudience(`${srv.base}/oauth/token`).setIssuedAt().setExpirationTime("2m").sign(k.privateKey);
    await expectInvalidClient(await form(assertionBody(noJti)));
    const claims = { iss: k.clientId, sub: k.clientId, aud: `${srv.base}/oauth/token`, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: crypto.randomUUID() };
    await expectInvalidClient(await form(assertionBody(`${b64url({ alg: "none" })}.${b64url(claims)}.`)));
    // HS256 "signed" with the registered public key's text as the HMAC secret (the classic confusion)
    for (const secret of [JSON.stringify(await exportJWK(k.publicKey)), await exportSPKI(k.publicKey)]) {
      const hs = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
      await expectInvalidClient(await form(assertionBody(hs)));
    }
  });

  it("an assertion dated in the future or issued long ago is refused", async () => {
    const k = await keyClient();
    await expectInvalidClient(await form(assertionBody(await signed(k, (j) => j.setIssuedAt(Math.floor(Date.now() / 1000) + 3600)))));
    await expectInvalidClient(await form(assertionBody(await signed(k, (j) => j.setIssuedAt(Math.floor(Date.now() / 1000) - 3600)))));
  });

  it("a far-future exp: usable once, only within 10 minutes of iat, and an exp past Postgres's range is no 500", async () => {
    const k = await keyClient();
    const farFuture = await signed(k, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) + 10 * 365 * 86_400));
    const later = createOAuthServer({ db: t.db, sql: t.sql, baseUrl: srv.base, now: () => new Date(Date.now() + 11 * 60_000) });
    const at = (server: typeof later) =>
      server.token(new Request(`${srv.base}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(assertionBody(farFuture)) }));
    await expectInvalidClient(await at(later));
    expect((await form(assertionBody(farFuture))).status).toBe(200);
    await expectInvalidClient(await form(assertionBody(farFuture)));
    const beyond = await signed(k, (j) => j.setExpirationTime(1e15));
    const res = await form(assertionBody(beyond));
    expect(res.status).toBe(200);
    await expectInvalidClient(await form(assertionBody(beyond)));
    // the used jti is kept as long as the assertion could be replayed (iat + 10 min), not until its exp
    const rows = await t.sql<{ until: number }[]>`select extract(epoch from expires_at)::float8 * 1000 as until from oauth_jtis where kind = 'assertion' and client_id = ${k.clientId}`;
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.until).toBeLessThanOrEqual(Date.now() + 11 * 60_000);
  });

  it("parallel replays of one assertion: exactly one token", async () => {
    const k = await keyClient();
    const assertion = await signed(k);
    const answers = await Promise.all(Array.from({ length: 8 }, () => form(assertionBody(assertion))));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
  });
});

describe("tokens across clients", () => {
  it("introspection by another client answers active:false and leaks nothing", async () => {
    const a = await newClient();
    const b = await newClient();
    const { access_token } = await tokenOf(a);
    const res = await post("/oauth/introspect", { token: access_token }, basic(b.clientId, b.secret));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ active: false });
  });

  it("revocation by another client answers 200 but does not revoke", async () => {
    const a = await newClient();
    const b = await newClient();
    const { access_token } = await tokenOf(a);
    expect((await post("/oauth/revoke", { token: access_token }, basic(b.clientId, b.secret))).status).toBe(200);
    expect((await verify(access_token, "identity")).status).toBe(200);
    const intro = await post("/oauth/introspect", { token: access_token }, basic(a.clientId, a.secret));
    expect(await intro.json()).toMatchObject({ active: true });
  });

  it("scope: duplicates collapse, empty means the plan's, case and another plan's scope are invalid_scope", async () => {
    const c = await newClient();
    expect((await tokenOf(c, "identity:read identity:read")).scope).toBe("identity:read");
    expect((await tokenOf(c, "")).scope).toBe("identity:read identity:verify");
    for (const scope of ["IDENTITY:READ", "payments:write", "identity:read  identity:verify", " identity:read"]) {
      const res = await form({ grant_type: "client_credentials", scope }, basic(c.clientId, c.secret));
      expect(res.status).toBe(400);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toMatchObject({ error: "invalid_scope" });
    }
  });

  it("a token for one product is 403 at another product, 401 once the product is archived", async () => {
    const c = await newClient();
    const { access_token } = await tokenOf(c);
    expect((await verify(access_token, "payments")).status).toBe(403);
    const [p] = await t.sql<{ id: string; status: string }[]>`select id, status from products where slug = 'identity'`;
    if (!p) throw new Error("no identity product");
    await t.sql`update products set status = 'archived' where id = ${p.id}`;
    try {
      await expect.poll(async () => (await verify(access_token, "identity")).status, { timeout: 5000 }).toBe(401);
    } finally {
      await t.sql`update products set status = ${p.status} where id = ${p.id}`;
    }
  });
});

describe("roll grace", () => {
  it("after the grace the old secret is invalid_client; the new one works; a token minted before the roll lives only to its exp", async () => {
    const c = await newClient();
    const before = await tokenOf(c);
    const { clientSecret } = await rollClientSecret(t.db, c.user.id, { id: c.id, graceHours: 1 });
    const at = (ms: number, secret: string) =>
      createOAuthServer({ db: t.db, sql: t.sql, baseUrl: srv.base, now: () => new Date(Date.now() + ms) }).token(
        new Request(`${srv.base}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...basic(c.clientId, secret) }, body: "grant_type=client_credentials" }),
      );
    expect((await at(30 * 60_000, c.secret)).status).toBe(200);
    await expectInvalidClient(await at(61 * 60_000, c.secret));
    expect((await at(61 * 60_000, clientSecret)).status).toBe(200);
    const exp = Number(JSON.parse(Buffer.from(before.access_token.split(".")[1] ?? "", "base64url").toString()).exp);
    expect(exp * 1000).toBeLessThanOrEqual(Date.now() + 600_000 + 1000);
  });
});

describe("the token endpoint's per-client limit", () => {
  it("failed attempts with a victim's client id do not lock the victim out", async () => {
    const c = await newClient();
    const server = createOAuthServer({ db: t.db, sql: t.sql, baseUrl: srv.base, tokenRatePerMinute: 5 });
    const request = (secret: string) =>
      new Request(`${srv.base}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...basic(c.clientId, secret) },
        body: "grant_type=client_credentials",
      });
    for (let i = 0; i < 10; i++) expect((await server.token(request("pcs_wrong"))).status).not.toBe(200);
    const res = await server.token(request(c.secret));
    expect(res.status).toBe(200);
    // the limit still holds for the client itself
    for (let i = 0; i < 4; i++) expect((await server.token(request(c.secret))).status).toBe(200);
    const over = await server.token(request(c.secret));
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("keys at rest and in the JWKS", () => {
  it("the JWKS has no private parts; the private signing key is sealed at rest", async () => {
    const jwks = (await (await fetch(`${srv.base}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    for (const k of jwks.keys) for (const part of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(k).not.toHaveProperty(part);
    const rows = await t.sql<{ private_jwk: unknown }[]>`select private_jwk from oauth_signing_keys`;
    for (const r of rows) expect(JSON.stringify(r.private_jwk)).not.toMatch(/"d"\s*:/);
  });
});

describe("who may act on a client (the app page's actions)", () => {
  const attempts = (userId: string, id: string) => ({
    roll: () => rollClientSecret(t.db, userId, { id, graceHours: 0 }),
    register: async () => registerClientKey(t.db, userId, { id, publicKey: JSON.stringify(await exportJWK((await generateKeyPair("ES256", { extractable: true })).publicKey)) }),
    checkIn: () => endClient(t.db, userId, { id, reason: "checked_in" }),
    revoke: () => endClient(t.db, userId, { id, reason: "revoked" }),
  });
  const stillWorks = async (c: { clientId: string; secret: string }) =>
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status).toBe(200);

  it("another consumer and the product owner: not found for every action, nothing changes", async () => {
    const c = await newClient();
    const stranger = await f.user("consumer");
    const owner = await f.owner();
    for (const who of [stranger.id, owner.id]) {
      for (const [name, run] of Object.entries(attempts(who, c.id))) {
        await expect(run(), `${name} by ${who}`).rejects.toMatchObject({ code: "not_found" });
      }
    }
    await stillWorks(c);
  });

  it("an admin may revoke (and only revoke)", async () => {
    const c = await newClient();
    const admin = await f.user("admin");
    const a = attempts(admin.id, c.id);
    for (const run of [a.roll, a.register, a.checkIn]) await expect(run()).rejects.toMatchObject({ code: "not_found" });
    await stillWorks(c);
    await a.revoke();
    expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status).toBe(401);
  });

  it("a disabled requester can do nothing with their client", async () => {
    const c = await newClient();
    await t.sql`update users set disabled_at = now() where id = ${c.user.id}`;
    for (const [name, run] of Object.entries(attempts(c.user.id, c.id))) {
      await expect(run(), name).rejects.toMatchObject({ code: "forbidden" });
    }
    const [row] = await t.sql<{ end_reason: string | null }[]>`select end_reason from oauth_clients where id = ${c.id}`;
    expect(row?.end_reason).toBeNull();
  });
});

describe("an ended client's token is refused at the next call on every instance", () => {
  it("check-in, app deletion, requester disabled with their keys: both warm instances answer 401, no new token", async () => {
    const second = listen();
    await second.ready(5000);
    // a second instance: its own verify context and change listener, the same issuer
    const other = createVerifyContext(t.sql, { flushMs: 3_600_000, changes: second, issuer: srv.base });
    try {
      const on = async (instance: "first" | "second", token: string) =>
        instance === "first"
          ? (await verify(token, "identity")).status
          : (await verifyKey({ key: token, product: "identity" }, other.lookup, { prefix: "ptk", limiter: other.limiter, accessTokens: other.accessTokens })).status;
      const admin = userActor(await f.user("admin"));
      const endings: [string, (c: Awaited<ReturnType<typeof newClient>>) => Promise<unknown>][] = [
        ["check-in", (c) => endClient(t.db, c.user.id, { id: c.id, reason: "checked_in" })],
        ["app deleted", (c) => deleteApp(t.db, c.user.id, c.request.appId)],
        ["requester disabled, keys revoked", (c) => setDisabled(t.db, admin, { userId: c.user.id, disabled: true, revokeKeys: true, baseUrl })],
      ];
      for (const [name, end] of endings) {
        const c = await newClient();
        const { access_token } = await tokenOf(c);
        // warm both instances' caches
        expect(await on("first", access_token), name).toBe(200);
        expect(await on("second", access_token), name).toBe(200);
        await end(c);
        for (const instance of ["first", "second"] as const) {
          await expect.poll(() => on(instance, access_token), { timeout: 3000, message: `${name} at the ${instance} instance` }).toBe(401);
        }
        expect((await form({ grant_type: "client_credentials" }, basic(c.clientId, c.secret))).status, name).toBe(401);
      }
    } finally {
      await other.flush();
    }
  });
});

describe("the database away", () => {
  it("token, introspection, revocation and the JWKS answer 503 temporarily_unavailable, never a 500 or a thrown error", async () => {
    const c = await newClient();
    const away = postgres("postgres://portico@127.0.0.1:1/none", { connect_timeout: 1, max: 1, onnotice: () => {} });
    try {
      const server = createOAuthServer({ db: t.db, sql: away, baseUrl: srv.base });
      const request = (path: string, body: Record<string, string>) =>
        new Request(`${srv.base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...basic(c.clientId, c.secret) },
          body: new URLSearchParams(body),
        });
      for (const res of [
        await server.token(request("/oauth/token", { grant_type: "client_credentials" })),
        await server.introspect(request("/oauth/introspect", { token: "x" })),
        await server.revoke(request("/oauth/revoke", { token: "x" })),
      ]) {
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBeTruthy();
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
      }
      const awayDb = drizzle(away, { schema });
      const jwks = await createOAuthServer({ db: awayDb as unknown as typeof t.db, sql: away, baseUrl: srv.base }).jwks();
      expect(jwks.status).toBe(503);
    } finally {
      await away.end({ timeout: 0 });
    }
  });
});
