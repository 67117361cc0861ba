import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { BASE_URL, approvedRequest, claimFromMailbox } from "./keys-helpers";
import { freePort, waitForPort } from "./net";

const CADDY = ["/usr/bin/caddy", "/usr/local/bin/caddy"].find((p) => fs.existsSync(p));
const conn = e2eDb();
let caddy: ChildProcess | undefined;
let upstream: http.Server | undefined;
let dir: string | undefined;

test.afterAll(async () => {
  caddy?.kill("SIGTERM");
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await conn.sql.end();
});

/** Runs examples/caddy/Caddyfile as shipped, with only its three addresses changed (and no admin endpoint). */
async function startCaddy(binary: string, upstreamPort: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "portico-caddy-"));
  dir = root;
  const port = await freePort();
  const portico = new URL(BASE_URL);
  const caddyfile =
    "{\n\tadmin off\n\tlog {\n\t\tlevel ERROR\n\t}\n}\n" +
    fs
      .readFileSync("examples/caddy/Caddyfile", "utf8")
      .replace("forward_auth 127.0.0.1:3000", `forward_auth 127.0.0.1:${portico.port}`)
      .replaceAll("reverse_proxy 127.0.0.1:9000", `reverse_proxy 127.0.0.1:${upstreamPort}`)
      .replace(/^:8080 \{/m, `:${port} {`);
  fs.writeFileSync(path.join(root, "Caddyfile"), caddyfile);
  caddy = spawn(binary, ["run", "--config", path.join(root, "Caddyfile"), "--adapter", "caddyfile"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, HOME: root, XDG_DATA_HOME: root, XDG_CONFIG_HOME: root },
  });
  await waitForPort(port);
  return `http://127.0.0.1:${port}`;
}

test("Caddy forward_auth with Portico: 401 without a key, identity upstream, 61 calls on a 60/min plan → 60 × 200 then 429 with the same fields", async ({
  page,
}) => {
  if (!CADDY) console.log("SKIPPED Caddy gateway test: no caddy binary (Debian: apt-get install caddy; .ci/run installs it).");
  test.skip(!CADDY, "caddy is not installed");
  upstream = http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => upstream?.listen(0, "127.0.0.1", resolve));
  const base = await startCaddy(CADDY ?? "", (upstream.address() as net.AddressInfo).port);

  const { email, requestId } = await approvedRequest(conn, "payments");
  await conn.sql`update access_requests set plan = plan || '{"rateLimitPerMinute": 60, "quotaPerMonth": 1000000}'::jsonb where id = ${requestId}`;
  const { key } = await claimFromMailbox(page, email);

  expect((await fetch(`${base}/payments/charges`)).status).toBe(401);
  const ok = await fetch(`${base}/payments/charges`, {
    headers: { Authorization: `Bearer ${key}`, "X-Portico-App-Id": "forged", "X-Portico-Role": "forged", "X-Portico-Limit": "forged" },
  });
  expect(ok.status).toBe(200);
  const seen = (await ok.json()) as { headers: Record<string, string> };
  expect(seen.headers["x-portico-products"]).toBe("payments");
  expect(seen.headers["x-portico-app-id"]).not.toBe("forged");
  expect(seen.headers["x-portico-role"]).toBeUndefined();
  expect(seen.headers["x-portico-limit"]).toBeUndefined();
  expect(seen.headers.authorization).toBeUndefined();
  expect((await fetch(`${base}/weather/today`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(403);

  // 2 calls so far (one 200, one 403 that does not count against the limit): 59 more are allowed.
  const statuses: number[] = [];
  let refused: Response | undefined;
  for (let i = 0; i < 60; i++) {
    const res = await fetch(`${base}/payments/charges`, { headers: { Authorization: `Bearer ${key}` } });
    statuses.push(res.status);
    if (res.status === 429) refused = res;
    else await res.arrayBuffer();
  }
  expect(statuses).toEqual([...Array<number>(59).fill(200), 429]);
  expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(refused?.headers.get("ratelimit-policy")).toBe('"minute";q=60;w=60, "month";q=1000000;w=2592000');
  expect(refused?.headers.get("ratelimit")).toMatch(/^"minute";r=0;t=\d+/);
  expect(await refused?.json()).toMatchObject({ valid: false, limit: "rate_limit", error: expect.stringContaining("60 calls per minute") });
});
