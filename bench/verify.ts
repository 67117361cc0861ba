/**
 * The verify endpoint beside the raw limit: a plain node:http server running the same lookup
 * (lib/keys/verify-key.ts: same SQL, same checks, same pool) on the same database.
 *
 * 1. The Next route and the Next process's dedicated listener (PORTICO_VERIFY_PORT), beside node:http.
 * 2. In this process, one run, alternating rounds with the same load tool and concurrency: the
 *    dedicated listener with the key cache (a VerifyContext on a real ChangeListener), the same
 *    listener without it (`cache: false`: every call asks the database), and node:http + same SQL.
 * 3. Limits counted and enforced vs no counting at all (issue 16), without the cache.
 * 4. Two listeners on one database, each with its own pool, ChangeListener and cache: a revoke
 *    (revokeRequests) or a product archive (changeProductStatus) on the database while polling the
 *    OTHER listener, 20 samples each, time until it answers 401 / 403.
 * 5. Sizing: verifies per second per core of the listener's thread (event-loop utilisation) and
 *    the database's CPU per 1,000 verifies.
 *
 * The load generator (autocannon) runs in its own worker thread, so it does not share the event
 * loop of the servers measured here; it still shares the machine's cores with them and the database.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { plans, products, users } from "../db/schema";
import { listenForChanges } from "../lib/coherence/changes";
import { addToCart } from "../lib/cart/cart-store";
import { claimKey } from "../lib/keys/claim-key";
import { revokeRequests } from "../lib/keys/key-lifecycle";
import { createVerifyContext } from "../lib/keys/verify-context";
import { startVerifyServer } from "../lib/keys/verify-server";
import { keyFromHeaders, lookupKey, verifyKey } from "../lib/keys/verify-key";
import { unseal } from "../lib/mail/sealed";
import { changeProductStatus } from "../lib/products/change-product-status";
import { createProduct } from "../lib/products/create-product";
import { submitRequest } from "../lib/requests/submit-request";

type Measured = { rps: number; p50: number; p99: number; errors: number; non2xx: number; cpuMs?: number; dbCpuMs?: number; requests?: number };
type Conn = ReturnType<typeof createDb>;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

const TICK_MS = 10; // ms per clock tick (USER_HZ 100)
/** /proc/…/stat: [ppid, user + system CPU ms], or null when unreadable (not Linux, process gone). */
function procStat(file: string): [number, number] | null {
  try {
    const stat = fs.readFileSync(file, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(fields[1]), (Number(fields[11]) + Number(fields[12])) * TICK_MS];
  } catch {
    return null;
  }
}

/** CPU time (ms) of the embedded PostgreSQL: the postmaster and all its children. */
function postgresCpuMs(dataDir: string | null): number {
  if (!dataDir) return 0;
  try {
    const postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    let total = 0;
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(`/proc/${entry}/stat`);
      if (stat && (Number(entry) === postmaster || stat[0] === postmaster)) total += stat[1];
    }
    return total;
  } catch {
    return 0;
  }
}

/** CPU time (ms) of this process's main thread: the servers measured here (the load generator has its own thread). */
const mainThreadCpuMs = () => procStat(`/proc/self/task/${process.pid}/stat`)?.[1] ?? 0;

async function measure(url: string, key: string, seconds: number, connections: number, pgData: string | null = null): Promise<Measured> {
  const cpu0 = mainThreadCpuMs();
  const db0 = postgresCpuMs(pgData);
  // workers: 1 — the load generator gets its own thread (its event loop is not the servers').
  const r = await autocannon({ url, connections, duration: seconds, workers: 1, headers: { authorization: `Bearer ${key}` } });
  const cpuMs = mainThreadCpuMs() - cpu0;
  const dbCpuMs = postgresCpuMs(pgData) - db0;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, cpuMs, dbCpuMs, requests: r.requests.total };
}

/** Rounds of one line: mean req/s, worst p50/p99, summed errors. */
function combine(xs: Measured[]): Measured {
  const sum = (f: (x: Measured) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    rps: sum((x) => x.rps) / xs.length,
    p50: Math.max(...xs.map((x) => x.p50)),
    p99: Math.max(...xs.map((x) => x.p99)),
    errors: sum((x) => x.errors),
    non2xx: sum((x) => x.non2xx),
    cpuMs: sum((x) => x.cpuMs ?? 0),
    dbCpuMs: sum((x) => x.dbCpuMs ?? 0),
    requests: sum((x) => x.requests ?? 0),
  };
}

/** A consumer with a claimed key for the Free (auto-approve) plan on every product in `slugs`. */
async function claimedKey(conn: Conn, slugs: string | string[], baseUrl: string) {
  const tag = Math.random().toString(36).slice(2, 10);
  const [user] = await conn.db.insert(users).values({ email: `bench-${tag}@example.com`, name: `Bench ${tag}` }).returning();
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  if (!user || !free) throw new Error("bench: seed data missing (run npm run dev once, or with-db)");
  for (const slug of typeof slugs === "string" ? [slugs] : slugs) {
    const [product] = await conn.db.select().from(products).where(eq(products.slug, slug));
    if (!product) throw new Error(`bench: no product ${slug}`);
    await addToCart(conn.db, user.id, { productId: product.id, planId: free.id });
  }
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl }, { newAppName: `Bench ${tag}`, reason: "bench" }, {});
  const [message] = await conn.sql<{ props: { claimUrl: string } }[]>`
    select props from email_messages where template = 'approved' and props->>'requestUrl' like ${`%${request.id}`}`;
  const url = String(await unseal(message?.props.claimUrl));
  const { plaintext } = await claimKey(conn.db, url.slice(url.lastIndexOf("/") + 1), user.id, { prefix: "ptk" });
  // Limits high enough that every call is counted and admitted: the bench measures the counting.
  await conn.sql`update access_requests set plan = plan || '{"rateLimitPerMinute": 1000000000, "quotaPerMonth": 2000000000, "enforceLimits": true}'::jsonb where id = ${request.id}`;
  return { key: plaintext, requestId: request.id };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` with `key` until it answers `want`; ms since `started`, or throws after 5 s. */
async function until(url: string, key: string, want: number, started: number) {
  let status = 0;
  while (performance.now() - started < 5000) {
    status = (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status;
    if (status === want) return performance.now() - started;
  }
  throw new Error(`bench: ${url} still answered ${status}, not ${want}, 5 s after the change`);
}

export async function benchVerify(databaseUrl: string, base: string, listener: string, opts: { seconds: number; connections: number; pgData?: string }) {
  const pgData = opts.pgData ?? null;
  const conn = createDb(databaseUrl, { max: 10 });
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("bench: no demo owner");
  const ownerActor = { kind: "user" as const, id: owner.id, role: "owner" as const, disabled: false };
  const { key, requestId } = await claimedKey(conn, "weather", base);

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

  // In this process, same pool: the listener with the key cache (a real change listener) and without.
  const changes = listenForChanges(databaseUrl, { log: (m) => console.error(`[bench changes] ${m}`) });
  if (!(await changes.ready())) throw new Error("bench: the change listener did not start");
  const cachedContext = createVerifyContext(conn.sql, { changes });
  const cached = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context: cachedContext });
  const uncached = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context: cachedContext, cache: false });
  // Issue 16's comparison, without the cache: limits counted and enforced vs no counting.
  const context = createVerifyContext(conn.sql);
  const limited = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context, cache: false });
  const unlimited = await startVerifyServer({ sql: conn.sql, prefix: "ptk", port: 0, context, cache: false, limits: false });
  const at = (s: { url: string }) => `${s.url}/api/v1/keys/verify?product=weather`;
  const [cachedUrl, uncachedUrl, limitedUrl, unlimitedUrl] = [cached, uncached, limited, unlimited].map(at) as [string, string, string, string];
  const porticoUrl = `${base}/api/v1/keys/verify?product=weather`;
  const listenerUrl = `${listener}/api/v1/keys/verify?product=weather`;
  for (const url of [porticoUrl, listenerUrl, rawUrl, cachedUrl, uncachedUrl, limitedUrl, unlimitedUrl]) {
    const check = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    if (check.status !== 200) throw new Error(`bench: ${url} answered ${check.status}`);
  }
  const { seconds, connections } = opts;

  // 1. The Next process: its route and its dedicated listener (which has the process's key cache).
  await measure(porticoUrl, key, 2, 10);
  const portico = await measure(porticoUrl, key, seconds, connections);
  await measure(listenerUrl, key, 2, 10);
  const dedicated = await measure(listenerUrl, key, seconds, connections);

  // 2. With cache / without / node:http, alternating so that none gets the warmer part of the run.
  const lines = { cached: [] as Measured[], uncached: [] as Measured[], raw: [] as Measured[] };
  for (const url of [cachedUrl, uncachedUrl, rawUrl]) await measure(url, key, 2, 10);
  for (let round = 0; round < 2; round++) {
    lines.cached.push(await measure(cachedUrl, key, seconds / 2, connections, pgData));
    lines.uncached.push(await measure(uncachedUrl, key, seconds / 2, connections, pgData));
    lines.raw.push(await measure(rawUrl, key, seconds / 2, connections, pgData));
  }
  const withCache = combine(lines.cached);
  const withoutCache = combine(lines.uncached);
  const rawResult = combine(lines.raw);

  // 3. Limits on vs no counting (both without the cache), alternating.
  const withLimits: Measured[] = [];
  const withoutLimits: Measured[] = [];
  await measure(limitedUrl, key, 2, 10);
  await measure(unlimitedUrl, key, 2, 10);
  for (let round = 0; round < 2; round++) {
    withoutLimits.push(await measure(unlimitedUrl, key, seconds / 2, connections));
    withLimits.push(await measure(limitedUrl, key, seconds / 2, connections));
  }
  const enforced = combine(withLimits);
  const before = combine(withoutLimits);
  await Promise.all([context.flush(), cachedContext.flush()]);
  const [counted] = await conn.sql<{ n: number }[]>`select coalesce(sum(count), 0)::float8 as n from usage_counters where subject_id = ${requestId} and "window" = 'month'`;
  // Latency without queueing: one connection at a time.
  const single = {
    route: await measure(porticoUrl, key, 3, 1),
    cached: await measure(cachedUrl, key, 3, 1),
    uncached: await measure(uncachedUrl, key, 3, 1),
    raw: await measure(rawUrl, key, 3, 1),
  };
  raw.close();
  await Promise.all([cached.close(), uncached.close(), limited.close(), unlimited.close(), changes.close()]);

  // 4. Two instances on one database: each its own pool, change listener, key cache and listener.
  const instances = await Promise.all(
    ["A", "B"].map(async (name) => {
      const c = createDb(databaseUrl, { max: 4 });
      const l = listenForChanges(databaseUrl, { log: (m) => console.error(`[bench ${name} changes] ${m}`) });
      if (!(await l.ready())) throw new Error(`bench: instance ${name}'s change listener did not start`);
      const ctx = createVerifyContext(c.sql, { changes: l });
      const server = await startVerifyServer({ sql: c.sql, prefix: "ptk", port: 0, context: ctx });
      return {
        url: `${server.url}/api/v1/keys/verify`,
        close: async () => {
          await server.close();
          await ctx.flush();
          await l.close();
          await c.sql.end();
        },
      };
    }),
  );
  const [a, b] = instances as [(typeof instances)[number], (typeof instances)[number]];
  const samples = 20;
  // The listeners log each refusal's reason (console.info); 40 expected ones are noise here.
  const info = console.info;
  console.info = () => {};
  // Both caches hold the key's 200 before the change (after the key's own notifications are heard).
  const warm = async (url: string, k: string) => {
    await sleep(50);
    for (const target of [a, b]) {
      for (let i = 0; i < 2; i++) {
        const status = (await fetch(`${target.url}${url}`, { headers: { authorization: `Bearer ${k}` } })).status;
        if (status !== 200) throw new Error(`bench: ${target.url}${url} answered ${status} before the change`);
      }
    }
  };
  const revokeMs: number[] = [];
  const revokeTxMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const target = await claimedKey(conn, "weather", base);
    await warm("?product=weather", target.key);
    const started = performance.now();
    const seen = until(`${b.url}?product=weather`, target.key, 401, started);
    await revokeRequests(conn.db, ownerActor, { requestIds: [target.requestId], reason: "bench", baseUrl: base });
    revokeTxMs.push(performance.now() - started);
    revokeMs.push(await seen);
  }
  // One key for 20 fresh published products; each sample archives one while polling B for it.
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  const tag = Math.random().toString(36).slice(2, 8);
  const benchProducts = [];
  for (let i = 0; i < samples; i++) {
    const product = await createProduct(conn.db, ownerActor, {
      name: `Bench ${tag} ${i}`,
      slug: `bench-${tag}-${i}`,
      summary: "A product the verify bench archives.",
      authMethod: "api_key",
      planIds: [free?.id],
    });
    await changeProductStatus(conn.db, ownerActor, product.id, "publish");
    benchProducts.push(product);
  }
  const multi = await claimedKey(
    conn,
    benchProducts.map((p) => p.slug),
    base,
  );
  const archiveMs: number[] = [];
  for (const [i, product] of benchProducts.entries()) {
    await warm(`?product=${product.slug}`, multi.key);
    const started = performance.now();
    // The last product archived leaves the key with none: 401 for every product then.
    const seen = until(`${b.url}?product=${product.slug}`, multi.key, i === samples - 1 ? 401 : 403, started);
    await changeProductStatus(conn.db, ownerActor, product.id, "archive");
    archiveMs.push(await seen);
  }
  const last = await fetch(b.url, { headers: { authorization: `Bearer ${multi.key}` } });
  if (last.status !== 401) throw new Error(`bench: a key with every product archived answered ${last.status}`);
  console.info = info;
  await Promise.all(instances.map((i) => i.close()));
  await conn.sql.end();

  console.log(`\nVerify endpoint — ${connections} connections, valid key, product check; load generator: autocannon in a worker thread`);
  console.log("                                 req/s   p50 ms   p99 ms");
  const line = (name: string, r: Measured) =>
    console.log(
      `${name.padEnd(31)}${r.rps.toFixed(0).padStart(7)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}` +
        (r.errors || r.non2xx ? `  (errors ${r.errors}, non-2xx ${r.non2xx})` : ""),
    );
  console.log(`Next process (${seconds}s each):`);
  line("Next route", portico);
  line("Next's verify listener", dedicated);
  console.log(`bench process, one pool, alternating (${seconds / 2}s × 2 each):`);
  line("listener + key cache", withCache);
  line("listener, no cache", withoutCache);
  line("node:http same SQL", rawResult);
  const ratio = withCache.rps / rawResult.rps;
  console.log(
    `listener + key cache / node:http same SQL: ${ratio.toFixed(2)}× the throughput, p99 ${withCache.p99} ms vs ${rawResult.p99} ms ` +
      `(goal ≥ 2× with p99 no worse: ${ratio >= 2 && withCache.p99 <= rawResult.p99 ? "met" : "MISSED"}); ` +
      `no cache / node:http: ${(withoutCache.rps / rawResult.rps).toFixed(2)}×; Next route / node:http: ${(portico.rps / rawResult.rps).toFixed(2)}×`,
  );
  console.log(`listener without the cache (${seconds / 2}s × 2 each, alternating), limits counted and enforced vs no counting at all:`);
  line("listener, limits on", enforced);
  line("listener, no counting", before);
  console.log(
    `limits on / no counting: ${((100 * enforced.rps) / before.rps).toFixed(1)} % of the throughput (goal ≥ 80 %); ` +
      `${counted?.n ?? 0} calls counted in usage_counters`,
  );
  console.log("one connection (latency without queueing, 3s each):");
  line("Next route", single.route);
  line("listener + key cache", single.cached);
  line("listener, no cache", single.uncached);
  line("node:http same SQL", single.raw);

  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`\nTwo verify listeners on one database (own pool, change listener and key cache each; B's cache holds the key's 200), ${samples} samples:`);
  console.log(
    `revoke (revokeRequests) → B answers 401: p50 ${ms(pct(revokeMs, 50))}, p99 ${ms(pct(revokeMs, 99))}, max ${ms(Math.max(...revokeMs))} ` +
      `(from the revoke's start; its transaction p50 ${ms(pct(revokeTxMs, 50))}) (goal p99 ≤ 1000 ms)`,
  );
  console.log(
    `archive a product (changeProductStatus) → B answers 403 for it: p50 ${ms(pct(archiveMs, 50))}, p99 ${ms(pct(archiveMs, 99))}, max ${ms(Math.max(...archiveMs))} ` +
      `(the last one, leaving the key no product, → 401) (goal p99 ≤ 1000 ms)`,
  );

  // 5. Sizing. The listener is one thread: its CPU time per verify is what a core serves.
  const per1000 = (ms: number | undefined, r: Measured) => (r.requests ? (1000 * (ms ?? 0)) / r.requests : 0);
  console.log(`\nSizing (this machine: ${os.cpus().length} cores, shared by the load generator, PostgreSQL and other work), CPU time per 1,000 verifies:`);
  for (const [name, r] of [
    ["listener + key cache", withCache],
    ["listener, no cache", withoutCache],
    ["node:http same SQL", rawResult],
  ] as const) {
    const listenerMs = per1000(r.cpuMs, r);
    const dbMs = per1000(r.dbCpuMs, r);
    console.log(
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(6)} req/s; listener thread ${listenerMs.toFixed(1)} ms (${((r.cpuMs ?? 0) / 10 / seconds).toFixed(0)} % of a core)` +
        ` + PostgreSQL ${dbMs.toFixed(1)} ms → ${(1e6 / (listenerMs + dbMs)).toFixed(0)} verifies/s per core (listener + database)`,
    );
  }
}
