/**
 * The portal REST API (/api/v1):
 * - token check overhead: the listProducts handler behind the router with a valid token, beside the
 *   very same handler called without any auth, both on plain node:http in this process (same pool),
 *   plus the Next route on the built server and checkToken alone;
 * - GET /api/v1/access-requests at 1,000,000 requests: the first page and a deep cursor page (after
 *   500,000 rows) over HTTP when the operation exists, and the same keyset SQL in-process beside it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { eq } from "drizzle-orm";
import type { Sql } from "postgres";
import { createDb } from "../db/connect";
import { users } from "../db/schema";
import { createApiAccessKey, removeApiAccessKey } from "../lib/api-access/manage";
import { checkToken } from "../lib/api-access/tokens";
import type { ApiAccessGrant } from "../lib/api-access/grants";
import { operations } from "../lib/api/operations";
import { listProducts } from "../lib/api/operations/products";
import { createApiRouter } from "../lib/api/router";
import { loadParts, userActor } from "../lib/auth/permissions";

export type Measured = { rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number };

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** autocannon gives no p95: every response time is collected from its `response` events. */
async function load(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<Measured> {
  const times: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, headers }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on("response", (_client, _status, _bytes, ms) => times.push(ms));
  });
  return { rps: r.requests.average, p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const fmt = (n: number) => n.toFixed(1);
function line(name: string, r: Measured) {
  console.log(
    `${name.padEnd(34)}${r.rps.toFixed(0).padStart(7)}${fmt(r.p50).padStart(9)}${fmt(r.p95).padStart(9)}${fmt(r.p99).padStart(9)}` +
      (r.errors || r.non2xx ? `  (errors ${r.errors}, non-2xx ${r.non2xx})` : ""),
  );
}

/** A throwaway API access key made by the demo admin, as /admin/api-keys does; removed afterwards. */
async function benchKey(db: ReturnType<typeof createDb>["db"], base: string, roles: ApiAccessGrant[]) {
  const [admin] = await db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  if (!admin) throw new Error("bench: no demo admin");
  const actor = userActor(admin);
  const name = `bench ${new Date().toISOString()} ${Math.random().toString(36).slice(2, 8)}`;
  const { key, token } = await createApiAccessKey(db, actor, { name, expiry: "30d", roles, issuer: base });
  return { token, remove: () => removeApiAccessKey(db, actor, { keyId: key.id }) };
}

export async function benchApiToken(databaseUrl: string, base: string, opts: { seconds: number; connections: number }) {
  const conn = createDb(databaseUrl, { max: 10 });
  const key = await benchKey(conn.db, base, [{ role: "portal_viewer" }]);
  try {
    const check = await checkToken(conn.db, key.token, { issuer: base });
    if (!check.ok) throw new Error(`bench: the new token does not check out (${check.reason})`);
    const actor = check.actor;

    // With auth: the whole /api/v1 router (bearer → checkToken → roles → zod → handler → problem/JSON).
    const route = createApiRouter(operations, () => ({ db: conn.db, baseUrl: base }));
    const withAuth = await serve(async (req, res) => {
      const response = await route(new Request(`${base}${req.url ?? "/"}`, { method: req.method, headers: req.headers as Record<string, string> }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    // Without auth: the same operation's query schema and handler, with the actor fixed in advance.
    const query = listProducts.query;
    if (!query) throw new Error("bench: listProducts has no query schema");
    const withoutAuth = await serve(async (req, res) => {
      const url = new URL(req.url ?? "/", base);
      const result = await listProducts.handler({
        actor,
        params: {},
        query: query.parse(Object.fromEntries(url.searchParams)),
        body: undefined,
        db: conn.db,
        baseUrl: base,
        request: new Request(url),
      });
      res.writeHead(result.status, { "content-type": "application/json", "cache-control": "no-store", ...result.headers });
      res.end(JSON.stringify(result.body));
    });

    const path = "/api/v1/products?limit=1";
    const bearer = { authorization: `Bearer ${key.token}` };
    for (const [url, headers] of [[`${withAuth.origin}${path}`, bearer], [`${withoutAuth.origin}${path}`, {}], [`${base}${path}`, bearer]] as const) {
      const r = await fetch(url, { headers });
      if (r.status !== 200) throw new Error(`bench: ${url} answered ${r.status}: ${await r.text()}`);
    }
    const warm = (url: string, headers: Record<string, string>) => load(url, headers, 2, 10);
    await warm(`${withAuth.origin}${path}`, bearer);
    await warm(`${withoutAuth.origin}${path}`, {});
    await warm(`${base}${path}`, bearer);
    const many = {
      auth: await load(`${withAuth.origin}${path}`, bearer, opts.seconds, opts.connections),
      none: await load(`${withoutAuth.origin}${path}`, {}, opts.seconds, opts.connections),
      next: await load(`${base}${path}`, bearer, opts.seconds, opts.connections),
      next401: await load(`${base}${path}`, {}, opts.seconds, opts.connections),
    };
    const one = {
      auth: await load(`${withAuth.origin}${path}`, bearer, 5, 1),
      none: await load(`${withoutAuth.origin}${path}`, {}, 5, 1),
      next: await load(`${base}${path}`, bearer, 5, 1),
    };
    withAuth.close();
    withoutAuth.close();

    // checkToken alone, one call at a time (signature, kid cache, the jti row).
    const checks: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await checkToken(conn.db, key.token, { issuer: base });
      checks.push(performance.now() - t0);
    }

    console.log(`\nAPI token check overhead — GET ${path} (listProducts), ${opts.connections} connections, ${opts.seconds}s each`);
    console.log("                                    req/s   p50 ms   p95 ms   p99 ms");
    line("router, valid token (node:http)", many.auth);
    line("same handler, no auth (node:http)", many.none);
    line("Next route, valid token", many.next);
    line("Next route, no token (401)", many.next401);
    console.log(
      `ratio valid token / no auth: ${(many.auth.rps / many.none.rps).toFixed(2)} of the throughput, p50 +${fmt(many.auth.p50 - many.none.p50)} ms; ` +
        `Next route / no auth: ${(many.next.rps / many.none.rps).toFixed(2)}`,
    );
    console.log("one connection (latency without queueing):");
    line("router, valid token (node:http)", one.auth);
    line("same handler, no auth (node:http)", one.none);
    line("Next route, valid token", one.next);
    console.log(
      `token check overhead, one connection: p50 +${fmt(one.auth.p50 - one.none.p50)} ms, p95 +${fmt(one.auth.p95 - one.none.p95)} ms; ` +
        `checkToken alone (2,000 calls): p50 ${pct(checks, 50).toFixed(2)} ms, p95 ${pct(checks, 95).toFixed(2)} ms, p99 ${pct(checks, 99).toFixed(2)} ms`,
    );
  } finally {
    await key.remove();
    await conn.sql.end();
  }
}

/**
 * The list's keyset SQL as GET /access-requests pages it: newest first on (created_at, id), serial
 * (no parallel workers, as the queue runs), then the page's products in a second query (loadParts).
 */
function listSql(sql: Sql, limit: number, after?: { createdAt: string; id: string }) {
  return sql`
    select r.id, r.status, u.id as requester_id, u.email as requester_email, u.name as requester_name, a.id as app_id, a.name as app_name,
           r.plan_id, r.plan->>'name' as plan_name, coalesce((r.plan->>'approvalsRequired')::int, 1) as approvals_required,
           (select count(*)::int from request_approvals ra where ra.request_id = r.id) as approvals,
           r.reason, r.fields, r.starts_at, r.duration_days, r.created_at, r.decided_at, r.created_at::text as created_key
    from access_requests r
    join users u on u.id = r.requester_id
    join apps a on a.id = r.app_id
    ${after ? sql`where (r.created_at, r.id) < (${after.createdAt}::timestamptz, ${after.id})` : sql``}
    order by r.created_at desc, r.id desc
    limit ${limit + 1}`;
}

async function listPage(conn: ReturnType<typeof createDb>, limit: number, after?: { createdAt: string; id: string }) {
  const rows = await conn.sql.begin(async (tx) => {
    await tx`set local max_parallel_workers_per_gather = 0`;
    return listSql(tx as unknown as Sql, limit, after);
  });
  await loadParts(conn.db, rows.slice(0, limit).map((r) => String(r.id)));
  return rows;
}

async function timed(fn: () => Promise<unknown>, runs: number) {
  const ms: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now();
    await fn();
    if (i >= 5) ms.push(performance.now() - t0);
  }
  return `p50 ${fmt(pct(ms, 50)).padStart(6)} ms  p95 ${fmt(pct(ms, 95)).padStart(6)} ms  p99 ${fmt(pct(ms, 99)).padStart(6)} ms`;
}

type Item = { id: string; createdAt: string };
/** A row's created_at as an API might put it in a cursor: ISO with ms, ISO with µs, Postgres text, epoch ms. */
type Forms = { id: string; iso: string; micro: string; text: string; ms: number };
const formsSql = (sql: Sql) => sql`
  select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as iso,
         to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as micro,
         created_at::text as text, (extract(epoch from created_at) * 1000)::float8 as ms
  from access_requests`;

/**
 * A cursor for the deep row in the format the API uses, found by reading the first page's `next`
 * (base64url JSON) against that page's last row. Null when the format is not one recognised here.
 */
function cursorFor(sample: string, last: Forms, row: Forms) {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(sample, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!c || typeof c !== "object") return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    const form = (Object.keys(last) as (keyof Forms)[]).find((f) => (f === "ms" ? typeof v === "number" && Math.floor(v) === Math.floor(last.ms) : last[f] === v));
    if (!form) return null;
    out[k] = form === "ms" ? Math.floor(row.ms) : row[form];
  }
  return Buffer.from(JSON.stringify(out)).toString("base64url");
}

export async function benchAccessRequests(databaseUrl: string, base: string) {
  const conn = createDb(databaseUrl, { max: 4 });
  const { sql } = conn;
  const key = await benchKey(conn.db, base, [{ role: "portal_viewer" }]);
  try {
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from access_requests`;
    const depth = Math.min(500_000, Math.max(0, n - 100));
    console.log(`\nGET /api/v1/access-requests — ${n.toLocaleString("en")} requests in the database; deep page = the page after ${depth.toLocaleString("en")} rows`);
    if (n < 1_000_000) console.log("  (fewer than 1,000,000: BENCH_SKIP_QUEUE=1 skips the 1,000,000-request seeding; these figures are not the issue's target size)");
    // The row the deep page starts after, and the one it must start with.
    const deep = await sql<Forms[]>`${formsSql(sql)} order by created_at desc, id desc offset ${Math.max(0, depth - 1)} limit 2`;
    const [anchor, expectedFirst] = deep;
    if (!anchor) throw new Error("bench: no access requests");

    console.log("the same keyset SQL in-process (50 rows and their products, as listAccessRequests reads them; 100 runs each):");
    console.log(`  first page                  ${await timed(() => listPage(conn, 50), 100)}`);
    console.log(`  deep page                   ${await timed(() => listPage(conn, 50, { createdAt: anchor.text, id: anchor.id }), 100)}`);
    const plan = await sql.begin(async (tx) => {
      await tx`set local max_parallel_workers_per_gather = 0`;
      return (await tx<{ "QUERY PLAN": string }[]>`explain (costs off) ${listSql(tx as unknown as Sql, 50, { createdAt: anchor.text, id: anchor.id })}`).map((r) => r["QUERY PLAN"]);
    });
    const seq = plan.some((l) => /Seq Scan on access_requests\b/.test(l));
    const idx = plan.find((l) => /Index.*on access_requests\b/.test(l))?.trim();
    console.log(`  deep page plan: ${seq ? "⚠ sequential scan on access_requests" : (idx ?? "no index scan found")}`);

    const path = "/api/v1/access-requests";
    const headers = { authorization: `Bearer ${key.token}` };
    const probe = await fetch(`${base}${path}?limit=50`, { headers });
    if (probe.status === 404 || probe.status === 405) {
      console.log(`over HTTP: skipped — ${path} answered ${probe.status} (the listAccessRequests operation is not in this build yet). The SQL figures above stand in for it.`);
      return;
    }
    const first = (await probe.json()) as { items?: Item[]; next?: string | null };
    if (probe.status !== 200 || !first.items) throw new Error(`bench: ${path} answered ${probe.status}: ${JSON.stringify(first)}`);
    const lastId = first.items[first.items.length - 1]?.id ?? "";
    const [last] = await sql<Forms[]>`${formsSql(sql)} where id = ${lastId}`;
    const cursor = first.next && last ? cursorFor(first.next, last, anchor) : null;

    const http = async (url: string) => {
      const ms: number[] = [];
      let body: { items?: Item[] } = {};
      for (let i = 0; i < 105; i++) {
        const t0 = performance.now();
        const r = await fetch(url, { headers });
        body = (await r.json()) as typeof body;
        if (r.status !== 200) throw new Error(`bench: ${url} answered ${r.status}: ${JSON.stringify(body)}`);
        if (i >= 5) ms.push(performance.now() - t0);
      }
      return { ms, body };
    };
    const show = (label: string, ms: number[]) =>
      console.log(`  ${label.padEnd(28)}p50 ${fmt(pct(ms, 50)).padStart(6)} ms  p95 ${fmt(pct(ms, 95)).padStart(6)} ms  p99 ${fmt(pct(ms, 99)).padStart(6)} ms${pct(ms, 95) < 50 ? "" : "  ⚠ p95 ≥ 50 ms"}`);
    console.log("over HTTP on the built server (Next route, Portal viewer token, limit=50, one connection, 100 calls each; target p95 < 50 ms):");
    show("first page", (await http(`${base}${path}?limit=50`)).ms);
    if (!cursor) {
      console.log(`  deep page: skipped — the cursor format (${first.next ? Buffer.from(first.next, "base64url").toString("utf8") : "no next cursor"}) is not one this bench can build from a row.`);
    } else {
      const { ms, body } = await http(`${base}${path}?limit=50&cursor=${cursor}`);
      show("deep page (cursor)", ms);
      const got = body.items?.[0]?.id;
      if (expectedFirst && got !== expectedFirst.id) console.log(`  ⚠ the deep page starts at ${got ?? "nothing"}, not at row ${depth + 1} (${expectedFirst.id}): check the keyset condition and the cursor's precision.`);
    }
    show("status=pending, first page", (await http(`${base}${path}?limit=50&status=pending`)).ms);
  } finally {
    await key.remove();
    await sql.end();
  }
}
