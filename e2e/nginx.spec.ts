import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { apps, accessRequests } from "../db/schema";
import { revokeRequests } from "../lib/keys/key-lifecycle";
import { e2eDb } from "./db";
import { BASE_URL, approvedRequest, claimFromMailbox } from "./keys-helpers";
import { freePort, waitForPort } from "./net";
import { nginxConf } from "./nginx-conf";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const conn = e2eDb();
let nginx: ChildProcess | undefined;
let upstream: http.Server | undefined;
let dir: string | undefined;

test.afterAll(async () => {
  nginx?.kill("SIGTERM");
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await conn.sql.end();
});

/** Runs examples/nginx as shipped, with only its three addresses changed. */
async function startNginx(binary: string, upstreamPort: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "portico-nginx-"));
  dir = root;
  const port = await freePort();
  const portico = new URL(BASE_URL);
  const gateway = fs
    .readFileSync("examples/nginx/portico-gateway.conf", "utf8")
    .replace("server 127.0.0.1:3000;", `server 127.0.0.1:${portico.port};`)
    .replace("server 127.0.0.1:9000;", `server 127.0.0.1:${upstreamPort};`)
    .replace("listen 8080;", `listen 127.0.0.1:${port};`);
  fs.writeFileSync(path.join(root, "portico-gateway.conf"), gateway);
  fs.copyFileSync("examples/nginx/portico-identity.conf", path.join(root, "portico-identity.conf"));
  fs.writeFileSync(path.join(root, "nginx.conf"), nginxConf(root, "  include portico-gateway.conf;\n"));
  nginx = spawn(binary, ["-p", root, "-c", path.join(root, "nginx.conf")], { stdio: ["ignore", "inherit", "inherit"] });
  await waitForPort(port);
  return `http://127.0.0.1:${port}`;
}

let gatewayUrl: string | undefined;
/** NGINX from examples/nginx in front of a sample API that echoes what it was given (started once per file). */
async function gateway() {
  if (gatewayUrl) return gatewayUrl;
  if (!NGINX) throw new Error("no nginx");
  upstream = http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => upstream?.listen(0, "127.0.0.1", resolve));
  gatewayUrl = await startNginx(NGINX, (upstream.address() as net.AddressInfo).port);
  return gatewayUrl;
}

function skipWithoutNginx() {
  if (!NGINX) console.log("SKIPPED nginx gateway test: no nginx binary (Debian: apt-get install nginx; .ci/run installs it).");
  test.skip(!NGINX, "nginx is not installed");
}

test("NGINX auth_request with Portico: 401 without a key, 200 upstream with the app, 403 for another product, 401 within 1 s of revoke", async ({
  page,
}) => {
  skipWithoutNginx();
  const base = await gateway();
  const { email, requestId, ownerId } = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, email);
  const [request] = await conn.db.select({ appId: accessRequests.appId }).from(accessRequests).where(eq(accessRequests.id, requestId));
  const [app] = await conn.db.select().from(apps).where(eq(apps.id, request?.appId ?? ""));

  expect((await fetch(`${base}/payments/charges`)).status).toBe(401);
  expect((await fetch(`${base}/payments/charges`, { headers: { Authorization: "Bearer ptk_nonsense" } })).status).toBe(401);

  // A client's own X-Portico-* headers never reach the upstream: NGINX sets or clears each one.
  const forged = {
    "X-Portico-App": "forged",
    "X-Portico-App-Id": "forged",
    "X-Portico-App-Name": "forged",
    "X-Portico-Plan": "forged",
    "X-Portico-Products": "forged",
    "X-Portico-Key-Id": "forged",
    "X-Portico-Product": "forged",
    "X-Portico-Limit": "forged",
    "X-Portico-Rate-Limit": "forged",
    "X-Portico-Quota": "forged",
    "X-Portico-Key-Expires": "forged",
  };
  const ok = await fetch(`${base}/payments/charges?limit=1`, { headers: { Authorization: `Bearer ${key}`, ...forged } });
  expect(ok.status).toBe(200);
  const seen = (await ok.json()) as { path: string; headers: Record<string, string> };
  expect(seen.path).toBe("/payments/charges?limit=1");
  for (const [name, value] of Object.entries(seen.headers)) expect(value, name).not.toContain("forged");
  expect(seen.headers["x-portico-app"]).toBeUndefined();
  expect(seen.headers["x-portico-products"]).toBe("payments");
  expect(seen.headers["x-portico-app-id"]).toBe(app?.id);
  expect(decodeURIComponent(seen.headers["x-portico-app-name"] ?? "")).toBe(app?.name);
  expect(seen.headers["x-portico-plan"]).toBe("Standard");
  expect(seen.headers.authorization).toBeUndefined();
  expect((await fetch(`${base}/payments/x`, { headers: { "X-API-Key": key } })).status).toBe(200);

  expect((await fetch(`${base}/weather/today`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(403);

  await revokeRequests(conn.db, { kind: "user", id: ownerId, role: "owner", disabled: false }, { requestIds: [requestId], reason: "Gateway test over.", baseUrl: BASE_URL });
  const revokedAt = Date.now();
  let status = 0;
  while (Date.now() - revokedAt < 1000) {
    status = (await fetch(`${base}/payments/charges`, { headers: { Authorization: `Bearer ${key}` } })).status;
    if (status === 401) break;
  }
  expect(status).toBe(401);
  console.log(`nginx: revoked key refused ${Date.now() - revokedAt} ms after the revoke committed`);
});

test("61 calls in a minute on a 60/min plan through NGINX: 60 × 200, then 429 with Retry-After and the RateLimit fields", async ({ page }) => {
  skipWithoutNginx();
  const base = await gateway();
  const { email, requestId } = await approvedRequest(conn, "payments");
  // The plan as it was when the request was made: 60 calls a minute.
  await conn.sql`update access_requests set plan = plan || '{"rateLimitPerMinute": 60, "quotaPerMonth": 1000000}'::jsonb where id = ${requestId}`;
  const { key } = await claimFromMailbox(page, email);
  const answers: Response[] = [];
  for (let i = 0; i < 61; i++) answers.push(await fetch(`${base}/payments/charges`, { headers: { Authorization: `Bearer ${key}` } }));
  expect(answers.map((a) => a.status)).toEqual([...Array<number>(60).fill(200), 429]);
  const first = answers[0];
  expect(first?.headers.get("ratelimit-policy")).toBe('"minute";q=60;w=60, "month";q=1000000;w=2592000');
  expect(first?.headers.get("ratelimit")).toMatch(/^"minute";r=59;t=\d+, "month";r=999999;t=\d+$/);
  const refused = answers[60];
  expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(refused?.headers.get("ratelimit-policy")).toBe('"minute";q=60;w=60, "month";q=1000000;w=2592000');
  expect(refused?.headers.get("ratelimit")).toMatch(/^"minute";r=0;t=\d+/);
  expect(await refused?.json()).toMatchObject({ limit: "rate_limit" });
  // the upstream never saw the 61st call; Portico's own answer says the same through its route
  const direct = await fetch(`${BASE_URL}/api/v1/keys/verify?product=payments`, { headers: { Authorization: `Bearer ${key}` } });
  expect(direct.status).toBe(429);
  expect(await direct.json()).toMatchObject({ valid: false, limit: "rate_limit", error: expect.stringContaining("60 calls per minute") });

  // The consumer's app page, once the counts are flushed (at least once a second): 62 calls, 2 rate limited
  // (the 61 through NGINX and the one straight to the route).
  const [request] = await conn.db.select({ appId: accessRequests.appId }).from(accessRequests).where(eq(accessRequests.id, requestId));
  await page.goto(`/apps/${request?.appId}`);
  const chart = page.getByTestId("app-usage");
  await expect(async () => {
    await page.reload();
    await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /Calls per day: 62 calls in 30 days — 60 allowed, 2 rate limited\./, { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
});
