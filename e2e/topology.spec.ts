import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { inArray } from "drizzle-orm";
import { emailMessages } from "../db/schema";
import { enqueueEmails } from "../lib/mail/enqueue-email";
import { type FakeResend, startFakeResend } from "../tests/fake-resend";
import { e2eDb } from "./db";
import { type Api, type Instance, type Proc, claimedKey, figures, planId, portalAdminToken, restApi, sharedEnv, startNext, startProcess, startWorkerProcess, until } from "./instances";
import { freePort, waitForPort } from "./net";
import { nginxConf } from "./nginx-conf";

/**
 * The deployment of compose.yaml as plain processes: NGINX in front (round robin over two web
 * instances, and the auth_request gateway of examples/nginx over their verify listeners), the web
 * instances with PORTICO_WORKER=off, one `npm run worker`, one database (the suite's; its own
 * server A runs beside them, as a third instance).
 */
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const conn = e2eDb();
const procs: Proc[] = [];
let web: Instance[] = [];
let front = "";
let fake: FakeResend | undefined;
let upstream: http.Server | undefined;
let dir: string | undefined;
let api: Api;

test.describe.configure({ mode: "serial" });

/** examples/nginx's gateway, its Portico upstream the two verify listeners, plus `location /` over the two web instances. */
function gatewayConf(port: number, webPorts: number[], verifyPorts: number[], apiPort: number) {
  const example = fs.readFileSync("examples/nginx/portico-gateway.conf", "utf8");
  const conf = example
    .replace("server 127.0.0.1:3000;", verifyPorts.map((p) => `server 127.0.0.1:${p};`).join("\n    "))
    .replace("server 127.0.0.1:9000;", `server 127.0.0.1:${apiPort};`)
    .replace("listen 8080;", `listen 127.0.0.1:${port};`);
  const last = conf.lastIndexOf("}");
  if (last < 0 || conf === example) throw new Error("examples/nginx/portico-gateway.conf changed shape");
  return `upstream portico_web {
    ${webPorts.map((p) => `server 127.0.0.1:${p};`).join("\n    ")}
    keepalive 16;
}
${conf.slice(0, last)}
    # The portal itself, balanced round robin; which instance answered comes back for the test.
    location / {
        proxy_pass http://portico_web;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        add_header X-Upstream $upstream_addr always;
    }
}
`;
}

test.beforeAll(async () => {
  if (!NGINX) return;
  test.setTimeout(120_000);
  fake = await startFakeResend();
  upstream = http.createServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ app: req.headers["x-portico-app-id"] ?? null })));
  await new Promise<void>((resolve) => upstream?.listen(0, "127.0.0.1", resolve));
  const [nginxPort, w1, w2, v1, v2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  front = `http://127.0.0.1:${nginxPort}`;
  // Every instance builds links to, and issues REST tokens for, the one public address.
  const env = { ...sharedEnv(), AUTH_URL: front, PORTICO_WORKER: "off" };
  web = await Promise.all([
    startNext("web 1", w1, { ...env, PORTICO_VERIFY_PORT: String(v1) }),
    startNext("web 2", w2, { ...env, PORTICO_VERIFY_PORT: String(v2) }),
  ]);
  procs.push(...web);
  procs.push(startWorkerProcess("worker", { ...sharedEnv(), AUTH_URL: front, RESEND_API_KEY: "re_topology", RESEND_BASE_URL: fake.url }));

  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-topology-"));
  fs.writeFileSync(path.join(dir, "portico-gateway.conf"), gatewayConf(nginxPort, [w1, w2], [v1, v2], (upstream.address() as net.AddressInfo).port));
  fs.copyFileSync("examples/nginx/portico-identity.conf", path.join(dir, "portico-identity.conf"));
  fs.writeFileSync(path.join(dir, "nginx.conf"), nginxConf(dir, "  include portico-gateway.conf;\n"));
  procs.push(startProcess("nginx", NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf")]));
  await waitForPort(nginxPort);
  api = restApi(front, (await portalAdminToken(conn, front)).token);
});

test.afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await conn.sql.end();
});

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed here.
test.afterEach(({}, info) => {
  if (info.status !== info.expectedStatus) for (const p of procs) console.log(`--- ${p.name} ---\n${p.log()}`);
});

function skipWithoutNginx() {
  if (!NGINX) console.log("SKIPPED topology test: no nginx binary (Debian: apt-get install nginx; .ci/run installs it).");
  test.skip(!NGINX, "nginx is not installed");
}

const through = (url: string) => fetch(url).then(async (r) => ({ status: r.status, upstream: r.headers.get("x-upstream") ?? "", html: await r.text() }));

test("NGINX balances the two web instances; a rename made on one is on every page NGINX serves within 1 s", async () => {
  skipWithoutNginx();
  test.setTimeout(120_000);
  const seenUpstreams = new Set<string>();
  for (let i = 0; i < 4; i++) seenUpstreams.add((await through(`${front}/apis`)).upstream);
  expect(seenUpstreams.size, [...seenUpstreams].join(" ")).toBe(2);

  const tag = randomBytes(3).toString("hex");
  const slug = `topology-${tag}`;
  const one = restApi(web[0]?.url ?? "", (await portalAdminToken(conn, front)).token);
  const made = await one("POST", "/products", { name: `Topology ${tag}`, slug, summary: "Behind NGINX.", planIds: [await planId(conn, "Standard")] });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const productId = String(made.body.id);
  try {
    expect((await one("POST", `/products/${productId}/publish`)).status).toBe(200);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `Topology ${tag} r${i}`;
      // Both instances hold the page (two requests through NGINX: one each).
      await until(async () => (await through(`${front}/apis/${slug}`)).status === 200 && (await through(`${front}/apis/${slug}`)).status === 200, 5000);
      // Changed through web 1 directly: web 2 learns it only from the notification.
      expect((await one("PATCH", `/products/${productId}`, { name })).status).toBe(200);
      const fresh = new Set<string>();
      samples.push(
        await until(async () => {
          const r = await through(`${front}/apis/${slug}`);
          if (r.html.includes(name)) fresh.add(r.upstream);
          return fresh.size === 2;
        }, 5000),
      );
    }
    console.log(`topology: rename on web 1 → new name from both instances through NGINX (ms) ${JSON.stringify(figures(samples))}`);
    expect(figures(samples).max).toBeLessThan(1000);
  } finally {
    await one("POST", `/products/${productId}/archive`);
  }
});

test("auth_request through NGINX to both verify listeners: 200 with the app, 401 within 1 s of a revoke made on a web instance", async () => {
  skipWithoutNginx();
  test.setTimeout(120_000);
  const { requestId, key } = await claimedKey(conn, api, { sentThrough: fake });
  const call = () => fetch(`${front}/payments/charges`, { headers: { "x-api-key": key } }).then((r) => r.status);
  expect((await fetch(`${front}/payments/charges`)).status).toBe(401);
  // Round robin over two listeners: four calls reach each twice.
  for (let i = 0; i < 4; i++) expect(await call()).toBe(200);
  const second = restApi(web[1]?.url ?? "", (await portalAdminToken(conn, front)).token);
  expect((await second("POST", `/access-requests/${requestId}/revoke`, { reason: "Topology test over." })).status).toBe(200);
  // Both listeners refuse it: four calls in a row are 401.
  const took = await until(async () => {
    for (let i = 0; i < 4; i++) if ((await call()) !== 401) return false;
    return true;
  }, 5000, 5);
  console.log(`topology: revoke → 401 from both listeners through NGINX in ${Math.round(took)} ms`);
  expect(took).toBeLessThan(1000);
});

test("the separate worker delivers mail the web instances enqueue, each message once", async () => {
  skipWithoutNginx();
  test.setTimeout(120_000);
  const tag = randomBytes(3).toString("hex");
  const ids = await conn.db.transaction((tx) =>
    enqueueEmails(
      tx,
      Array.from({ length: 100 }, (_, i) => ({
        to: `topology-${tag}-${i}@example.com`,
        template: "sign-in" as const,
        props: { url: `${front}/api/auth/callback/email?token=not-a-token-${i}`, host: "127.0.0.1", expiresInMinutes: 10 },
      })),
    ),
  );
  const rows = () => conn.db.select().from(emailMessages).where(inArray(emailMessages.id, ids));
  await until(async () => (await rows()).every((m) => m.status === "sent"), 60_000, 200);
  const sent = await rows();
  expect(sent.filter((m) => m.attempts !== 1).map((m) => [m.id, m.attempts])).toEqual([]);
  const byWorker = sent.filter((m) => m.transport === "resend").length;
  // The suite's own server A runs its inline worker on the same queue (the outbox): the two share it.
  console.log(`topology: 100 emails, ${byWorker} sent by the separate worker, ${100 - byWorker} by A's inline worker, each once`);
  expect(byWorker).toBeGreaterThan(0);
  expect(ids.map((id) => fake?.sendsByKey.get(id) ?? 0).filter((n) => n > 1)).toEqual([]);
});
