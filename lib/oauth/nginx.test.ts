import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, waitForPort } from "@/e2e/net";
import { nginxConf } from "@/e2e/nginx-conf";
import { userActor } from "@/lib/auth/permissions";
import { claimCredential } from "@/lib/keys/claim-key";
import { changeListeners, until } from "@/tests/changes";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { startOAuthHttp } from "@/tests/oauth-http";
import { approvedRequest } from "@/tests/requests";
import { endClient } from "./client-lifecycle";

/**
 * Issue 19 through Debian's NGINX (examples/nginx as shipped, plus two locations): openid-client
 * gets a token from the real handlers, then calls
 *   /identity/      auth_request → Portico's verify (the client's state is checked on every call);
 *   /jwt/identity/  no auth_request: the upstream validates the JWT offline with the JWKS (jose).
 * After a revoke, verify refuses at the next call; the JWKS path accepts the token until it expires.
 */
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const approver = userActor(await f.owner());
// Short tokens, so the test sees the JWKS path stop at expiry.
const LIFETIME = 6;
await t.sql`update plans set oauth_scopes = '{identity:read}', access_token_lifetime_seconds = ${LIFETIME} where name = 'Standard'`;
const changes = changeListeners(t.url)();
await changes.ready(5000);
const portico = await startOAuthHttp(t.db, t.sql, { changes });
const jwks = createRemoteJWKSet(new URL(`${portico.base}/.well-known/jwks.json`));

const upstream = http.createServer(async (req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url?.startsWith("/jwt/")) {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: portico.base, audience: `${portico.base}/apis/identity`, typ: "at+jwt" });
      res.end(JSON.stringify({ via: "jwks", client: payload.client_id }));
    } catch {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "invalid_token" }));
    }
    return;
  }
  res.end(JSON.stringify({ via: "verify", client: req.headers["x-portico-key-id"] ?? null }));
});
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
let nginx: ChildProcess | undefined;
let root: string | undefined;
afterAll(async () => {
  nginx?.kill("SIGTERM");
  if (root) fs.rmSync(root, { recursive: true, force: true });
  await new Promise((r) => upstream.close(r));
  await portico.close();
});

async function startNginx(binary: string) {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "portico-oauth-nginx-"));
  const port = await freePort();
  const upstreamPort = (upstream.address() as net.AddressInfo).port;
  const gateway = fs
    .readFileSync("examples/nginx/portico-gateway.conf", "utf8")
    .replace("server 127.0.0.1:3000;", `server 127.0.0.1:${new URL(portico.base).port};`)
    .replace("server 127.0.0.1:9000;", `server 127.0.0.1:${upstreamPort};`)
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace(
      "    # One location per Portico product",
      `    location /identity/ {
        auth_request /_portico/verify/identity;
        include portico-identity.conf;
        proxy_pass http://weather_api;
    }

    # A JWT-validating path: the upstream checks the access token offline against the JWKS.
    location /jwt/identity/ {
        proxy_pass http://weather_api;
    }

    # One location per Portico product`,
    );
  fs.writeFileSync(path.join(root, "portico-gateway.conf"), gateway);
  fs.copyFileSync("examples/nginx/portico-identity.conf", path.join(root, "portico-identity.conf"));
  fs.writeFileSync(path.join(root, "nginx.conf"), nginxConf(root, "  include portico-gateway.conf;\n"));
  nginx = spawn(binary, ["-p", root, "-c", path.join(root, "nginx.conf")], { stdio: ["ignore", "inherit", "inherit"] });
  await waitForPort(port);
  return `http://127.0.0.1:${port}`;
}

describe.skipIf(!NGINX)("OAuth through NGINX", () => {
  it("both paths succeed; after revoke verify refuses at once, the JWKS path only at token expiry", async () => {
    const gw = await startNginx(NGINX as string);
    const { user, token } = await approvedRequest({ db: t.db, f, approver, baseUrl: "http://portal.test" }, { slugs: ["identity"] });
    const claimed = await claimCredential(t.db, token, user.id, { prefix: "ptk" });
    if (claimed.kind !== "oauth_client") throw new Error("expected an OAuth client");
    const config = await oidc.discovery(new URL(portico.base), claimed.clientId, undefined, oidc.ClientSecretBasic(claimed.clientSecret), {
      execute: [oidc.allowInsecureRequests],
      algorithm: "oauth2",
    });
    const { access_token: accessToken, expires_in: expiresIn } = await oidc.clientCredentialsGrant(config, { scope: "identity:read" });
    expect(expiresIn).toBe(LIFETIME);
    const call = (p: string) => fetch(`${gw}${p}`, { headers: { authorization: `Bearer ${accessToken}` } });
    const viaVerify = await call("/identity/v1/check");
    expect(viaVerify.status).toBe(200);
    expect(await viaVerify.json()).toEqual({ via: "verify", client: claimed.client.id });
    const viaJwks = await call("/jwt/identity/v1/check");
    expect(viaJwks.status).toBe(200);
    expect(await viaJwks.json()).toEqual({ via: "jwks", client: claimed.clientId });
    // a token for another product's path is refused by verify (403: not in the token)
    expect((await call("/payments/v1")).status).toBe(403);

    await endClient(t.db, user.id, { id: claimed.client.id, reason: "revoked" });
    const revokedAt = Date.now();
    const refusedAfter = await until(async () => (await call("/identity/v1/check")).status === 401, 2000);
    expect(refusedAfter).toBeLessThan(2000);
    // The offline path cannot see the revoke: it still lets the token through...
    expect((await call("/jwt/identity/v1/check")).status).toBe(200);
    // ...until the token expires.
    const jwksRefusedAfter = await until(async () => (await call("/jwt/identity/v1/check")).status === 401, (LIFETIME + 3) * 1000);
    expect(jwksRefusedAfter).toBeLessThan((LIFETIME + 3) * 1000);
    console.log(`nginx: verify refused the revoked client's token after ${Math.round(refusedAfter)} ms; the JWKS path ${Date.now() - revokedAt} ms after the revoke (at expiry)`);
  });
});
