/**
 * npm run bench — measures Portico's pages beside the raw limit on this machine, in one run:
 * a plain node:http server answering with the very same bytes. Prints req/s, p99 and the ratio.
 *
 * Then the key verify endpoint beside node:http running the same lookup (bench/verify.ts), the REST
 * API's token check beside the same handler without auth (bench/api.ts), the approval queue at
 * 1,000,000 requests (bench/queue.ts) and GET /api/v1/access-requests at that size (bench/api.ts).
 *
 * Env: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 50), BENCH_SKIP_VERIFY=1, BENCH_SKIP_QUEUE=1 (no queue bench,
 * no 1,000,000-request seeding: the access-requests list is then measured at the size there is),
 * BENCH_PREWARM=0 (the queue measured without reading the tables into PostgreSQL's buffers first),
 * BENCH_SKIP_OAUTH=1 (bench/oauth.ts: token endpoint; verify with a JWT vs an API key), BENCH_SKIP_AUDIT=1, BENCH_SKIP_API=1, BENCH_SKIP_WEBHOOKS=1 (bench/webhooks.ts: commit → first delivery
 * attempt, and a decision's cost with 10 endpoints beside none), BENCH_SKIP_PAGES=1 (no catalogue pages).
 */
import { spawn, execSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { benchAccessRequests, benchApiToken } from "./api";
import { benchAudit } from "./audit";
import { benchOAuth } from "./oauth";
import { benchQueue } from "./queue";
import { benchVerify } from "./verify";
import { benchWebhooks } from "./webhooks";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const port = 3200;
const base = `http://127.0.0.1:${port}`;

type Result = { name: string; rps: number; p99: number; errors: number; non2xx: number };

async function measure(name: string, url: string): Promise<Result> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return { name, rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

async function rawServer(body: Buffer, contentType: string) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": contentType, "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function waitFor(url: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}

/**
 * The bench's PostgreSQL: 1,000,000 requests make 2.6 GB of tables and indexes, and PostgreSQL's
 * default shared_buffers (128 MB) is sized for a small machine, not for that: a bulk decision then
 * writes dirty pages out itself to make room. shared_buffers a quarter of the memory this process
 * may use (a container's limit where there is one), never less than 1 GB, and effective_cache_size
 * half of it, never less than PostgreSQL's default 4 GB: PostgreSQL's own starting advice and
 * docs/deploy.md's ("PostgreSQL settings"). Until 2026-12-06 the bench ran with 1 GB. bench/queue.ts
 * reads the tables into the buffers before measuring (its `prewarm`; BENCH_PREWARM=0 for none): the
 * operating system's cache cannot be counted on to hold them (on the bench machine the kernel pages
 * out what has not been touched for about a minute).
 */
const limit = process.constrainedMemory();
const memoryMb = Math.floor((limit && limit > 0 && limit < os.totalmem() ? limit : os.totalmem()) / 2 ** 20);
const BENCH_DB = [
  "--data",
  ".data/bench-pg",
  "--pg-set",
  `shared_buffers=${Math.max(1024, Math.floor(memoryMb / 4))}MB`,
  "--pg-set",
  `effective_cache_size=${Math.max(4096, Math.floor(memoryMb / 2))}MB`,
];

async function main() {
  if (!fs.existsSync(".next/BUILD_ID")) {
    console.log("▸ No production build found; running next build …");
    execSync(`npx tsx scripts/with-db.ts ${BENCH_DB.join(" ")} -- npx next build`, { stdio: "inherit" });
  }
  const app = spawn(
    "npx",
    ["tsx", "scripts/with-db.ts", ...BENCH_DB, "--", "npx", "next", "start", "-p", String(port)],
    {
      stdio: ["ignore", "ignore", "inherit"],
      // The app's inline worker sends webhooks too, so it must reach the bench's receiver on 127.0.0.1.
      env: { ...process.env, AUTH_URL: base, PORTICO_VERIFY_PORT: String(port + 1), PORTICO_WEBHOOK_ALLOW_HTTP: "on", PORTICO_WEBHOOK_ALLOW_PRIVATE: "on", PORTICO_OAUTH_TOKEN_RATE_PER_MINUTE: "100000000" },
      detached: true,
    },
  );
  try {
    await waitFor(`${base}/apis`, 120_000);
    const pages = process.env.BENCH_SKIP_PAGES === "1" ? [] : ["/apis", "/apis/payments"];
    const rows: { page: string; portico: Result; raw: Result }[] = [];
    for (const page of pages) {
      const res = await fetch(`${base}${page}`);
      const body = Buffer.from(await res.arrayBuffer());
      // warm caches and JIT
      await autocannon({ url: `${base}${page}`, connections: 10, duration: 2 });
      const portico = await measure(`portico ${page}`, `${base}${page}`);
      const raw = await rawServer(body, res.headers.get("content-type") ?? "text/html");
      const rawResult = await measure(`node:http ${page}`, raw.url);
      raw.close();
      rows.push({ page, portico, raw: rawResult });
    }
    if (rows.length) console.log(`\nCatalogue pages — ${connections} connections, ${seconds}s each, same bytes from a plain node:http server\n`);
    if (rows.length) console.log("page              portico req/s  p99 ms   node:http req/s  p99 ms   ratio");
    for (const { page, portico, raw } of rows) {
      console.log(
        `${page.padEnd(18)}${portico.rps.toFixed(0).padStart(13)}${String(portico.p99).padStart(8)}${raw.rps.toFixed(0).padStart(18)}${String(raw.p99).padStart(8)}   1/${(raw.rps / portico.rps).toFixed(1)}` +
          (portico.errors || portico.non2xx ? `  (errors ${portico.errors}, non-2xx ${portico.non2xx})` : ""),
      );
    }
    process.env.AUTH_SECRET ??= fs.readFileSync(".data/auth-secret", "utf8").trim();
    const databaseUrl = fs.readFileSync(".data/bench-pg/database-url", "utf8").trim();
    // The sections that loaded the app before the queue's (its output says whether the server was fresh).
    const ran = rows.length ? ["catalogue pages"] : [];
    if (process.env.BENCH_SKIP_VERIFY !== "1") {
      await benchVerify(databaseUrl, base, `http://127.0.0.1:${port + 1}`, { seconds, connections, pgData: ".data/bench-pg/cluster" });
      ran.push("verify");
    }
    const skipApi = process.env.BENCH_SKIP_API === "1";
    if (!skipApi) {
      await benchApiToken(databaseUrl, base, { seconds, connections });
      ran.push("API token");
    }
    if (process.env.BENCH_SKIP_OAUTH !== "1") {
      await benchOAuth(databaseUrl, base, `http://127.0.0.1:${port + 1}`, { seconds, connections });
      ran.push("OAuth");
    }
    if (process.env.BENCH_SKIP_AUDIT !== "1") {
      await benchAudit(databaseUrl, base);
      ran.push("audit");
    }
    if (process.env.BENCH_SKIP_QUEUE !== "1") {
      const url = databaseUrl;
      const [{ n } = { n: 0 }] = await (async () => {
        const { default: postgres } = await import("postgres");
        const q = postgres(url, { max: 1 });
        const r = await q<{ n: number }[]>`select count(*)::int as n from access_requests`;
        await q.end();
        return r;
      })();
      if (n < 1_000_000) {
        console.log("\n▸ Seeding 1,000,000 requests for the queue benchmark (npm run db:seed:scale) …");
        execSync("npx tsx scripts/seed-scale.ts", { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
      }
      await benchQueue(url, base, { loadedBefore: ran });
    }
    if (!skipApi) await benchAccessRequests(databaseUrl, base);
    if (process.env.BENCH_SKIP_WEBHOOKS !== "1") await benchWebhooks(databaseUrl);
  } finally {
    if (app.pid) process.kill(-app.pid, "SIGTERM");
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 3000),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
