import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Sql } from "postgres";
import type { Database } from "@/db/connect";
import type { ChangeListener } from "@/lib/coherence/changes";
import { createVerifyContext } from "@/lib/keys/verify-context";
import { verifyHttp } from "@/lib/keys/verify-http";
import { headerReader } from "@/lib/net/node-headers";
import { createOAuthServer } from "@/lib/oauth/server";
import { userActor } from "@/lib/auth/permissions";
import { claimCredential } from "@/lib/keys/claim-key";
import { changeListeners } from "./changes";
import { isolatedDatabase } from "./database";
import { catalogueFixture } from "./fixtures";
import { approvedRequest } from "./requests";

/**
 * The OAuth route handlers (app/oauth/*, app/.well-known/*) and the verify endpoint served over real
 * HTTP from the same functions the Next routes call, so a client library nobody here wrote can talk
 * to them. The issuer is the server's own address.
 */
export async function startOAuthHttp(db: Database, sql: Sql, opts: { changes?: ChangeListener; now?: () => Date } = {}) {
  let handlers: ReturnType<typeof createOAuthServer> | null = null;
  let context: ReturnType<typeof createVerifyContext> | null = null;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", base);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(url, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body });
    let response: Response;
    try {
      const h = handlers as NonNullable<typeof handlers>;
      switch (url.pathname) {
        case "/oauth/token":
          response = await h.token(request);
          break;
        case "/oauth/introspect":
          response = await h.introspect(request);
          break;
        case "/oauth/revoke":
          response = await h.revoke(request);
          break;
        case "/.well-known/jwks.json":
          response = await h.jwks();
          break;
        case "/.well-known/oauth-authorization-server":
          response = h.metadata();
          break;
        case "/api/v1/keys/verify": {
          const c = context as NonNullable<typeof context>;
          const result = await verifyHttp(
            { method: req.method ?? "GET", url: req.url ?? "/", headers: headerReader(req.headers), readBody: async () => body.toString("utf8") },
            c.lookup,
            { prefix: "ptk", limiter: c.limiter, importedKeys: c.importedKeys.get, accessTokens: c.accessTokens, now: opts.now?.() },
          );
          response = Response.json(result.body, { status: result.status, headers: result.headers });
          break;
        }
        default:
          response = new Response("not found", { status: 404 });
      }
    } catch (error) {
      console.error(error);
      response = new Response("internal error", { status: 500 });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handlers = createOAuthServer({ db, sql, baseUrl: base, now: opts.now });
  context = createVerifyContext(sql, { flushMs: 3_600_000, changes: opts.changes, issuer: base });
  return {
    base,
    close: async () => {
      await context?.flush();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The OAuth suites' test bed: an isolated database whose Standard plan grants identity scopes, a
 * change listener, the OAuth routes over HTTP, and `newClient()` — an approved request for the
 * identity product claimed as an OAuth client (its id, client ID and the secret shown once).
 * The caller closes `srv` in afterAll.
 */
export async function oauthTestbed() {
  const t = await isolatedDatabase();
  const f = await catalogueFixture(t.db);
  const approver = userActor(await f.owner());
  const baseUrl = "http://portal.test";
  await t.sql`update plans set oauth_scopes = '{identity:read,identity:verify}' where name = 'Standard'`;
  const listen = changeListeners(t.url);
  const changes = listen();
  await changes.ready(5000);
  const srv = await startOAuthHttp(t.db, t.sql, { changes });
  async function newClient() {
    const { user, request, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    const claimed = await claimCredential(t.db, token, user.id, { prefix: "ptk" });
    if (claimed.kind !== "oauth_client") throw new Error(`expected an OAuth client, got ${claimed.kind}`);
    return { user, request, id: claimed.client.id, clientId: claimed.clientId, secret: claimed.clientSecret };
  }
  return { t, f, approver, baseUrl, listen, changes, srv, newClient };
}
