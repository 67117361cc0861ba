/**
 * Issue 19: the OAuth token endpoint (POST /oauth/token, client_secret_basic) req/s and p99, and in
 * the same run the dedicated verify listener with an access token (JWT: signature + cached client
 * state) beside the same listener with an API key (cached key lookup). Run by bench/run.ts against
 * the `next start` it launched (AUTH_URL = base, so the listener accepts that issuer's tokens).
 */
import autocannon from "autocannon";
import { eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { claimCredential } from "../lib/keys/claim-key";
import { unseal } from "../lib/mail/sealed";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";

type Conn = ReturnType<typeof createDb>;

async function claim(conn: Conn, slug: string, planName: string, baseUrl: string) {
  const tag = Math.random().toString(36).slice(2, 10);
  const [user] = await conn.db.insert(users).values({ email: `bench-oauth-${tag}@example.com`, name: `Bench ${tag}` }).returning();
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, planName));
  const [product] = await conn.db.select().from(products).where(eq(products.slug, slug));
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!user || !plan || !product || !owner) throw new Error("bench: seed data missing");
  await addToCart(conn.db, user.id, { productId: product.id, planId: plan.id });
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl }, { newAppName: `Bench ${tag}`, reason: "bench" }, {});
  if (request.status !== "approved") {
    await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [request.id], decision: "approve", baseUrl });
  }
  const [message] = await conn.sql<{ props: { claimUrl: string } }[]>`
    select props from email_messages where template = 'approved' and props->>'requestUrl' like ${`%${request.id}`}`;
  const url = String(await unseal(message?.props.claimUrl));
  const claimed = await claimCredential(conn.db, url.slice(url.lastIndexOf("/") + 1), user.id, { prefix: "ptk" });
  await conn.sql`update access_requests set plan = plan || '{"rateLimitPerMinute": 1000000000, "quotaPerMonth": 2000000000, "enforceLimits": true}'::jsonb where id = ${request.id}`;
  return claimed;
}

async function run(opts: autocannon.Options) {
  const r = await autocannon({ pipelining: 1, ...opts });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

export async function benchOAuth(databaseUrl: string, base: string, listener: string, opts: { seconds: number; connections: number }) {
  const conn = createDb(databaseUrl, { max: 4 });
  await conn.sql`update plans set oauth_scopes = '{identity:read}' where name = 'Standard'`;
  const client = await claim(conn, "identity", "Standard", base);
  const key = await claim(conn, "weather", "Free", base);
  if (client.kind !== "oauth_client" || key.kind !== "key") throw new Error("bench: expected one OAuth client and one key");
  const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`;
  const tokenRequest = {
    url: `${base}/oauth/token`,
    method: "POST" as const,
    headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=identity%3Aread",
  };
  const first = await fetch(tokenRequest.url, tokenRequest);
  if (first.status !== 200) throw new Error(`bench: /oauth/token answered ${first.status}: ${await first.text()}`);
  const { access_token: jwt } = (await first.json()) as { access_token: string };
  const verifyAt = (slug: string) => `${listener}/api/v1/keys/verify?product=${slug}`;
  for (const [url, bearer] of [[verifyAt("identity"), jwt], [verifyAt("weather"), key.plaintext]] as const) {
    const check = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
    if (check.status !== 200) throw new Error(`bench: ${url} answered ${check.status}`);
  }
  const { seconds, connections } = opts;
  await run({ ...tokenRequest, connections: 10, duration: 2 });
  const token = await run({ ...tokenRequest, connections, duration: seconds });
  const lines: Record<"jwt" | "key", Awaited<ReturnType<typeof run>>[]> = { jwt: [], key: [] };
  // Alternating rounds, same listener, same load: an access token, then an API key.
  for (let round = 0; round < 2; round++) {
    lines.jwt.push(await run({ url: verifyAt("identity"), headers: { authorization: `Bearer ${jwt}` }, connections, duration: seconds / 2 }));
    lines.key.push(await run({ url: verifyAt("weather"), headers: { authorization: `Bearer ${key.plaintext}` }, connections, duration: seconds / 2 }));
  }
  const avg = (xs: Awaited<ReturnType<typeof run>>[]) => ({
    rps: xs.reduce((s, x) => s + x.rps, 0) / xs.length,
    p99: Math.max(...xs.map((x) => x.p99)),
    errors: xs.reduce((s, x) => s + x.errors, 0),
    non2xx: xs.reduce((s, x) => s + x.non2xx, 0),
  });
  const rows = [
    { name: "POST /oauth/token (client_secret_basic, ES256 JWT)", ...token },
    { name: "verify listener, access token (JWT)", ...avg(lines.jwt) },
    { name: "verify listener, API key", ...avg(lines.key) },
  ];
  console.log(`\nOAuth (issue 19), ${seconds} s, ${connections} connections`);
  console.log("what".padEnd(56) + "req/s".padStart(10) + "p99 ms".padStart(9) + "  errors/non-2xx");
  for (const r of rows) console.log(r.name.padEnd(56) + Math.round(r.rps).toString().padStart(10) + String(r.p99).padStart(9) + `  ${r.errors}/${r.non2xx}`);
  await conn.sql.end();
  return rows;
}
