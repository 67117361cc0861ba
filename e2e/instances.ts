import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { emailMessages, plans, products, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { claimKey } from "../lib/keys/claim-key";
import { unseal } from "../lib/mail/sealed";
import type { FakeResend } from "../tests/fake-resend";
import type { e2eDb } from "./db";
import { BASE_URL, rememberSecret } from "./keys-helpers";
import { waitForPort } from "./net";

/**
 * More Portico processes beside the suite's own server (instance A, playwright.config.ts): the same
 * build (.next), the same database, the same secret; each one started here is stopped by its test.
 */
export type Proc = { name: string; pid: number; log: () => string; stop: () => Promise<void> };
export type Instance = Proc & { url: string };

/** What A runs with (playwright.config.ts webServer env and scripts/with-db.ts), for another instance. */
export function sharedEnv(): Record<string, string> {
  return {
    DATABASE_URL: process.env.DATABASE_URL ?? fs.readFileSync(".data/e2e-pg/database-url", "utf8").trim(),
    AUTH_SECRET: process.env.AUTH_SECRET ?? fs.readFileSync(".data/auth-secret", "utf8").trim(),
    PORTICO_DEV_MAILBOX: "on",
    PORTICO_SIGN_IN_PER_MINUTE: "10000",
    PORTICO_SIGN_IN_PER_HOUR: "10000",
    PORTICO_SIGN_IN_PER_IP_HOUR: "100000",
    NODE_ENV: "production",
  };
}

/** Any command as a process of its own (its output kept for a failing test's report). */
export function startProcess(name: string, command: string, args: string[], env: Record<string, string> = {}): Proc & { child: ChildProcess } {
  // Its own process group, so a stop reaches whatever it started too.
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  // Never outlives the test process, even one that ends without calling stop.
  const orphan = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", orphan);
  void exited.then(() => process.off("exit", orphan));
  return {
    name,
    pid,
    child,
    log: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        return;
      }
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!killed) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
        await exited;
      }
    },
  };
}

/** `next start` from the suite's build on `port`, answering once /apis does. */
export async function startNext(name: string, port: number, env: Record<string, string>): Promise<Instance> {
  const proc = startProcess(name, process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPort(port, 300);
    await until(async () => (await fetch(`${url}/apis`).catch(() => undefined))?.status === 200, 30_000);
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not start: ${String(error)}\n${proc.log()}`);
  }
  return { ...proc, url };
}

/** `npm run worker` (scripts/worker.ts) as its own process. */
export function startWorkerProcess(name: string, env: Record<string, string>): Proc {
  return startProcess(name, process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/worker.ts"], env);
}

/** Polls `check` until it holds; ms it took, or throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 10) {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`still not so after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** p50, p99 (the max below 100 samples) and max, in whole ms. */
export function figures(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
  return { n: sorted.length, p50: at(50), p99: at(99), max: Math.round(sorted.at(-1) ?? Number.NaN) };
}

/** A new admin and a Portal admin API access key of theirs: the REST API of any instance takes it. */
export async function portalAdminToken(conn: ReturnType<typeof e2eDb>, issuer = BASE_URL) {
  const tag = randomBytes(4).toString("hex");
  const [admin] = await conn.db.insert(users).values({ email: `instances-${tag}@example.com`, name: `Ines ${tag}`, role: "admin" }).returning();
  if (!admin) throw new Error("could not add the admin");
  const { token } = await createApiAccessKey(
    conn.db,
    { kind: "user", id: admin.id, role: "admin", disabled: false },
    { name: `Instances ${tag}`, expiry: "30d", roles: [{ role: "portal_admin" }], issuer },
  );
  rememberSecret(token);
  return { token, adminEmail: admin.email };
}

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** The portal REST API of the instance at `base`. */
export function restApi(base: string, token: string): Api {
  return async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

/** The id of a demo plan (db/seed.ts). */
export async function planId(conn: ReturnType<typeof e2eDb>, name: string) {
  const [plan] = await conn.db.select({ id: plans.id }).from(plans).where(eq(plans.name, name));
  if (!plan) throw new Error(`no plan ${name}`);
  return plan.id;
}

/**
 * The claim token of the "approved" email to `to`: from the message while it waits (sealed), or from
 * the body the stand-in for Resend received when a worker sending there took it (a message handed to
 * a real provider keeps no link).
 */
async function claimToken(conn: ReturnType<typeof e2eDb>, to: string, sentThrough?: FakeResend) {
  let token: string | undefined;
  await until(async () => {
    const [m] = await conn.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.to, to), eq(emailMessages.template, "approved")))
      .orderBy(desc(emailMessages.createdAt))
      .limit(1);
    if (!m) return false;
    const url = m.props.claimUrl ? String(await unseal(m.props.claimUrl)) : (sentThrough?.accepted.get(m.id)?.html ?? "");
    token = /\/claim\/([A-Za-z0-9_-]{43})/.exec(url)?.[1];
    return token !== undefined;
  }, 10_000, 50);
  if (!token) throw new Error(`no claim link for ${to}`);
  rememberSecret(token);
  return token;
}

/**
 * A new consumer with a claimed key for one product: the request made (and approved, unless its plan
 * auto-approves) through `api`, or through `decideApi` when given; the claim through lib/ as the
 * claim page does.
 */
export async function claimedKey(conn: ReturnType<typeof e2eDb>, api: Api, opts: { slug?: string; decideApi?: Api; sentThrough?: FakeResend } = {}) {
  const tag = randomBytes(4).toString("hex");
  const email = `instances-${tag}@example.com`;
  const [consumer] = await conn.db.insert(users).values({ email, name: `Tia ${tag}` }).returning();
  const [product] = await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, opts.slug ?? "payments"));
  if (!consumer || !product) throw new Error("seed data missing");
  const made = await api("POST", "/access-requests", {
    consumerEmail: email,
    newAppName: `Instances ${tag}`,
    productIds: [product.id],
    planId: await planId(conn, "Standard"),
    reason: "More than one instance",
  });
  if (made.status !== 201) throw new Error(`request not made: ${made.status} ${JSON.stringify(made.body)}`);
  const requestId = String(made.body.id);
  if (made.body.status !== "approved") {
    const decided = await (opts.decideApi ?? api)("POST", `/access-requests/${requestId}/approve`, {});
    if (decided.status !== 200 || decided.body.status !== "approved") throw new Error(`not approved: ${decided.status} ${JSON.stringify(decided.body)}`);
  }
  const claimed = await claimKey(conn.db, await claimToken(conn, email, opts.sentThrough), consumer.id, { prefix: "ptk" });
  if (!("plaintext" in claimed)) throw new Error(`claim failed: ${JSON.stringify(claimed)}`);
  rememberSecret(claimed.plaintext);
  return { requestId, key: claimed.plaintext, email, consumerId: consumer.id };
}
