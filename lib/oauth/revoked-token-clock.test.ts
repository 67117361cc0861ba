import { afterAll, describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { claimCredential } from "@/lib/keys/claim-key";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { startOAuthHttp } from "@/tests/oauth-http";
import { approvedRequest } from "@/tests/requests";
import { purgeUsedJtis } from "./purge-used-jtis";

/**
 * Adversary's pass: a revoked access token (RFC 7009) is checked on the app's clock, its jti listed
 * on the database's. An app clock behind the database's, within the purge's margin, must not let a
 * revoked token through in the seconds where the database finds it expired and the app does not.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const approver = userActor(await f.owner());
const baseUrl = "http://portal.test";
// Short-lived tokens, so a token can be past its expiry on one clock and not on the other.
await t.sql`update plans set access_token_lifetime_seconds = 20 where name = 'Standard'`;
const behind = () => new Date(Date.now() - 30_000);
const srv = await startOAuthHttp(t.db, t.sql, { now: behind });
afterAll(() => srv.close());

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` });
const post = (path: string, body: Record<string, string>, headers: Record<string, string>) =>
  fetch(`${srv.base}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(body) });

describe("a revoked access token and the clocks", () => {
  it("an app clock 30 s behind the database's: verify and introspection refuse the revoked token, before and after the purge", async () => {
    const { user, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    const c = await claimCredential(t.db, token, user.id, { prefix: "ptk" });
    if (c.kind !== "oauth_client") throw new Error(`expected an OAuth client, got ${c.kind}`);
    await t.sql`update oauth_clients set valid_from = now() - interval '1 hour' where id = ${c.client.id}`;
    const auth = basic(c.clientId, c.clientSecret);
    const got = await post("/oauth/token", { grant_type: "client_credentials" }, auth);
    expect(got.status).toBe(200);
    const { access_token } = (await got.json()) as { access_token: string };
    const verify = () => fetch(`${srv.base}/api/v1/keys/verify?product=identity`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await verify()).status).toBe(200);
    expect((await post("/oauth/revoke", { token: access_token }, auth)).status).toBe(200);
    expect((await verify()).status).toBe(401);
    const introspected = await post("/oauth/introspect", { token: access_token }, auth);
    expect(await introspected.json()).toMatchObject({ active: false });
    await purgeUsedJtis(t.db);
    expect((await verify()).status).toBe(401);
  });
});
