/**
 * The verify endpoint beside the raw limit: a plain node:http server running the same lookup
 * (lib/keys/verify-key.ts: same SQL, same checks, same pool size) on the same database. The
 * dedicated listener runs twice more in this process beside that server: with the plan's limits
 * counted and enforced (the default), and without any counting (verify before issue 16), so the
 * cost of enforcement is one ratio of one run. Also times how long after a revoke commits the
 * endpoint starts answering 401.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { claimKey } from "../lib/keys/claim-key";
import { revokeRequests } from "../lib/keys/key-lifecycle";
import { createVerifyContext } from "../lib/keys/verify-context";
import { startVerifyServer } from "../lib/keys/verify-server";
import { keyFromHeaders, lookupKey, verifyKey } from "../lib/keys/verify-key";
import { unseal } from "../lib/mail/sealed";
import { submitRequest } from "../lib/requests/submit-request";

type Measured = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

async function measure(url: string, key: string, seconds: number, connections: number): Promise<Measured> {
  const r = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${key}` } });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

/** A consumer with a claimed key for the Free (auto-approve) plan on `slug`. */
async function claimedKey(conn: ReturnType<typeof createDb>, slug: string, baseUrl: string) {
  const tag = Math.random().toString(36).slice(2, 10);
  const [user] = await conn.db.insert(users).values({ email: `bench-${tag}@example.com`, name: `Bench ${tag}` }).returning();
  const [product] = await conn.db.select().from(products).where(eq(products.slug, slug));
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  if (!user || !product || !free) throw new Error("bench: seed data missing (run npm run dev once, or with-db)");
  await addToCart(conn.db, user.id, { productId: product.id, planId: free.id });
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl }, { newAppName: `Bench ${tag}`, reason: "bench" }, {});
  const [message] = await conn.sql<{ props: { claimUrl: string } }[]>`
    select props from email_messages where template = 'approved' and props->>'requestUrl' like ${`%${request.id}`}`;
  const url = String(await unseal(message?.props.claimUrl));
  const { plaintext } = await claimKey(conn.db, url.slice(url.lastIndexOf("/") + 1), user.id, { prefix: "ptk" });
  return { key: plaintext, requestId: request.id };
}

export async function benchVerify(databaseUrl: string, base: string, listener: string, opts: { seconds: number; connections: number }) {
  const conn = createDb(databaseUrl, { max: 10 });
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("bench: no demo owner");
  const { key, requestId } = await claimedKey(conn, "weather", base);
  // Limits high enough that every call is counted and admitted: the bench measures the counting.
  await conn.sql`update access_requests set plan = plan || '{"rateLimitPerMinute": 1000000000, "quotaPerMonth": 2000000000, "enforceLimits": true}'::jsonb where id = ${requestId}`;

  // The raw limit: node:http + the same lookup and checks, no framework.
  const raw = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const url = new URL(req.url ?? "/", "http://raw");
    const result = await verifyKey({ key: keyFromHeaders(headers), product: url.searchParams.get("product") }, (h) => lookupKey(conn.sql, h), {
      prefix: "ptk",
    });
    res.writeHead(result.status, { ...result.headers, "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(result.body));
  });
  await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/?product=weather`;
  // The listener in this process, same pool, with and without limits.
  const context = createVerifyContext(conn.sql);
  const limited = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context });
  const unlimited = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context, limits: false });
  const limitedUrl = `${limited.url}/api/v1/keys/verify?product=weather`;
  const unlimitedUrl = `${unlimited.url}/api/v1/keys/verify?product=weather`;
  const porticoUrl = `${base}/api/v1/keys/verify?product=weather`;
  const listenerUrl = `${listener}/api/v1/keys/verify?product=weather`;
  for (const url of [porticoUrl, listenerUrl, rawUrl, limitedUrl, unlimitedUrl]) {
    const check = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    if (check.status !== 200) throw new Error(`bench: ${url} answered ${check.status}`);
  }
  await autocannon({ url: porticoUrl, connections: 10, duration: 2, headers: { authorization: `Bearer ${key}` } });
  const portico = await measure(porticoUrl, key, opts.seconds, opts.connections);
  await autocannon({ url: listenerUrl, connections: 10, duration: 2, headers: { authorization: `Bearer ${key}` } });
  const dedicated = await measure(listenerUrl, key, opts.seconds, opts.connections);
  const rawResult = await measure(rawUrl, key, opts.seconds, opts.connections);
  // Side by side in one run, alternating so that neither gets the warmer half of the run.
  const withLimits: Measured[] = [];
  const withoutLimits: Measured[] = [];
  await measure(limitedUrl, key, 2, 10);
  await measure(unlimitedUrl, key, 2, 10);
  for (let round = 0; round < 2; round++) {
    withoutLimits.push(await measure(unlimitedUrl, key, opts.seconds / 2, opts.connections));
    withLimits.push(await measure(limitedUrl, key, opts.seconds / 2, opts.connections));
  }
  const mean = (xs: Measured[]): Measured => ({
    rps: xs.reduce((a, x) => a + x.rps, 0) / xs.length,
    p50: Math.max(...xs.map((x) => x.p50)),
    p99: Math.max(...xs.map((x) => x.p99)),
    errors: xs.reduce((a, x) => a + x.errors, 0),
    non2xx: xs.reduce((a, x) => a + x.non2xx, 0),
  });
  const enforced = mean(withLimits);
  const before = mean(withoutLimits);
  await context.flush();
  const [counted] = await conn.sql<{ n: number }[]>`select coalesce(sum(count), 0)::float8 as n from usage_counters where subject_id = ${requestId} and "window" = 'month'`;
  // Latency without queueing: one connection at a time.
  const single = { route: await measure(porticoUrl, key, 5, 1), listener: await measure(listenerUrl, key, 5, 1), raw: await measure(rawUrl, key, 5, 1) };
  raw.close();
  await Promise.all([limited.close(), unlimited.close()]);

  // Revoke → first 401, measured from just before the revoke transaction starts.
  const revokeTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const target = await claimedKey(conn, "weather", base);
    const started = performance.now();
    await revokeRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [target.requestId], reason: "bench", baseUrl: base });
    let status = 200;
    while (status !== 401 && performance.now() - started < 5000) {
      status = (await fetch(listenerUrl, { headers: { authorization: `Bearer ${target.key}` } })).status;
    }
    revokeTimes.push(Math.round((performance.now() - started) * 10) / 10);
    if (status !== 401) throw new Error("bench: revoked key still verified after 5 s");
  }
  await conn.sql.end();

  console.log(`\nVerify endpoint — ${opts.connections} connections, ${opts.seconds}s each, valid key, product check`);
  console.log("                      req/s   p50 ms   p99 ms");
  const line = (name: string, r: Measured) =>
    console.log(
      `${name.padEnd(20)}${r.rps.toFixed(0).padStart(7)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}` +
        (r.errors || r.non2xx ? `  (errors ${r.errors}, non-2xx ${r.non2xx})` : ""),
    );
  line("Next route", portico);
  line("verify listener", dedicated);
  line("node:http same SQL", rawResult);
  console.log(
    `ratio to raw: Next route 1/${(rawResult.rps / portico.rps).toFixed(2)}, verify listener 1/${(rawResult.rps / dedicated.rps).toFixed(2)}   (goal ≥ 1/2, p99 < 5 ms)`,
  );
  console.log(`dedicated listener in the bench process, limits counted and enforced vs no counting (alternating, ${opts.seconds / 2}s × 2 each):`);
  line("listener, limits on", enforced);
  line("listener, no counting", before);
  line("node:http same SQL", rawResult);
  console.log(
    `limits on / no counting: ${((100 * enforced.rps) / before.rps).toFixed(1)} % of the throughput (goal ≥ 80 %), p99 ${enforced.p99} ms (goal < 5 ms); ` +
      `${counted?.n ?? 0} calls counted in usage_counters`,
  );
  console.log("one connection (latency without queueing):");
  line("Next route", single.route);
  line("verify listener", single.listener);
  line("node:http same SQL", single.raw);
  console.log(`revoke → verify 401: ${revokeTimes.join(" ms, ")} ms (revoke transaction included)`);
}
