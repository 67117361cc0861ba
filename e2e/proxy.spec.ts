import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { desc } from "drizzle-orm";
import { signInAttempts } from "../db/schema";
import { e2eDb } from "./db";
import { latestLinkFor } from "./helpers";
import { freePort, waitForPort } from "./net";
import { nginxConf } from "./nginx-conf";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const conn = e2eDb();
const children: ChildProcess[] = [];
let dir: string | undefined;

test.afterAll(async () => {
  for (const child of children) {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await conn.sql.end();
});

/** NGINX as a plain reverse proxy in front of `upstreamPort`, the way README's deployment section sets it up. */
async function startProxy(binary: string, port: number, upstreamPort: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "portico-proxy-"));
  dir = root;
  const temp = (name: string) => path.join(root, name);
  fs.writeFileSync(
    temp("nginx.conf"),
    nginxConf(
      root,
      `  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
`,
    ),
  );
  children.push(spawn(binary, ["-p", root, "-c", temp("nginx.conf")], { stdio: ["ignore", "inherit", "inherit"], detached: true }));
  await waitForPort(port);
}

/** A second `next start` of the same build and database, configured for the proxy's origin. */
async function startPortico(port: number, authUrl: string) {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so afterAll stops every process it starts.
    detached: true,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: fs.readFileSync(".data/e2e-pg/database-url", "utf8").trim(),
      AUTH_SECRET: fs.readFileSync(".data/auth-secret", "utf8").trim(),
      AUTH_URL: authUrl,
      PORTICO_TRUSTED_PROXIES: "1",
      PORTICO_DEV_MAILBOX: "on",
      // The main e2e server's worker sends the mail.
      PORTICO_WORKER: "off",
      PORTICO_SIGN_IN_PER_MINUTE: "1000",
      PORTICO_SIGN_IN_PER_HOUR: "1000",
      PORTICO_SIGN_IN_PER_IP_HOUR: "1000",
    },
  });
  children.push(child);
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/signin`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the second Portico did not start");
}

test("signing in through NGINX as a reverse proxy ends signed in on the proxy's origin", async ({ browser }) => {
  if (!NGINX) {
    console.log("SKIPPED reverse proxy test: no nginx binary (Debian: apt-get install nginx; .ci/run installs it).");
    test.skip(true, "nginx is not installed");
    return;
  }
  test.setTimeout(120_000);
  const [proxyPort, porticoPort] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${proxyPort}`;
  await startPortico(porticoPort, origin);
  await startProxy(NGINX, proxyPort, porticoPort);

  const providers = (await (await fetch(`${origin}/api/auth/providers`)).json()) as Record<string, { callbackUrl: string }>;
  expect(providers.email?.callbackUrl).toBe(`${origin}/api/auth/callback/email`);

  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  const email = `proxy-${randomBytes(4).toString("hex")}@example.com`;
  await page.goto("/apps");
  await expect(page).toHaveURL(`${origin}/signin?callbackUrl=%2Fapps`);
  await page.getByLabel("Email address").fill(email);
  // A client behind the proxy claiming another address: the proxy's own entry is what counts.
  await page.setExtraHTTPHeaders({ "X-Forwarded-For": "203.0.113.66" });
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await page.setExtraHTTPHeaders({});
  const [attempt] = await conn.db.select({ ip: signInAttempts.ip }).from(signInAttempts).orderBy(desc(signInAttempts.id)).limit(1);
  expect(attempt?.ip).toBe("127.0.0.1");

  const link = await latestLinkFor(page, email);
  expect(new URL(link).origin).toBe(origin);
  await page.goto(link);
  await expect(page).toHaveURL(`${origin}/apps`);
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
  await context.close();
});
