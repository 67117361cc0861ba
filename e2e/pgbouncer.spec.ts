import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { inArray } from "drizzle-orm";
import { emailMessages } from "../db/schema";
import { enqueueEmails } from "../lib/mail/enqueue-email";
import { type FakeResend, startFakeResend } from "../tests/fake-resend";
import { sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { type Api, type Instance, claimedKey, figures, planId, portalAdminToken, restApi, sharedEnv, startNext, until } from "./instances";
import { BASE_URL } from "./keys-helpers";
import { freePort } from "./net";
import { PGBOUNCER, type PgBouncer, startPgBouncer } from "../tests/pgbouncer";

/**
 * Issue 17: running behind PgBouncer in transaction mode. Two instances whose DATABASE_URL is a
 * pgbouncer process (DATABASE_POOLER=transaction), the change listener and migrations on
 * DATABASE_DIRECT_URL; one of them runs the job worker through the pooler too.
 */
const conn = e2eDb();
let bouncer: PgBouncer | undefined;
let one: Instance | undefined;
let two: Instance | undefined;
let twoVerify = "";
let fake: FakeResend | undefined;
let api1: Api;
let api2: Api;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  if (!PGBOUNCER) return;
  test.setTimeout(120_000);
  const shared = sharedEnv();
  bouncer = await startPgBouncer(shared.DATABASE_URL ?? "");
  fake = await startFakeResend();
  const env = { ...shared, DATABASE_URL: bouncer.url, DATABASE_DIRECT_URL: shared.DATABASE_URL ?? "", DATABASE_POOLER: "transaction", AUTH_URL: BASE_URL };
  const verifyPort = await freePort();
  [one, two] = await Promise.all([
    startNext("pooled 1", await freePort(), { ...env, PORTICO_WORKER: "inline", RESEND_API_KEY: "re_pgbouncer", RESEND_BASE_URL: fake.url }),
    startNext("pooled 2", await freePort(), { ...env, PORTICO_WORKER: "off", PORTICO_VERIFY_PORT: String(verifyPort) }),
  ]);
  twoVerify = `http://127.0.0.1:${verifyPort}/api/v1/keys/verify`;
  const { token } = await portalAdminToken(conn);
  api1 = restApi(one.url, token);
  api2 = restApi(two.url, token);
});

test.afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await bouncer?.stop();
  await fake?.close();
  await conn.sql.end();
});

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed here.
test.afterEach(({}, info) => {
  if (info.status !== info.expectedStatus) for (const p of [one, two, bouncer]) if (p) console.log(`--- ${p.name} ---\n${p.log()}`);
});

function skipWithoutPgBouncer() {
  if (!PGBOUNCER) console.log("SKIPPED PgBouncer test: no pgbouncer binary (Debian: apt-get install pgbouncer; .ci/run installs it).");
  test.skip(!PGBOUNCER, "pgbouncer is not installed");
}

test("behind PgBouncer (transaction mode): a request made on one instance, decided on the other, its key verified; pages and sessions work", async () => {
  skipWithoutPgBouncer();
  test.setTimeout(120_000);
  if (!one || !two || !bouncer) throw new Error("not started");
  const before = await bouncer.transactions();
  // Many statements at once on few server connections: prepared statements would collide here.
  const pages = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? one : two)?.url}/apis/payments`).then((r) => r.status)));
  expect(pages.every((s) => s === 200)).toBe(true);

  const { key, consumerId } = await claimedKey(conn, api1, { decideApi: api2, sentThrough: fake });
  for (let i = 0; i < 5; i++) expect((await fetch(`${twoVerify}?product=payments`, { headers: { "x-api-key": key } })).status).toBe(200);
  // A signed-in page (Auth.js database session) from each instance.
  const cookie = await sessionCookie(conn, consumerId);
  for (const instance of [one, two]) {
    const res = await fetch(`${instance.url}/requests`, { headers: { cookie }, redirect: "manual" });
    expect(res.status, instance.name).toBe(200);
  }
  const carried = (await bouncer.transactions()) - before;
  console.log(`pgbouncer: ${carried} transactions went through the pooler`);
  expect(carried).toBeGreaterThan(20);
});

test("behind PgBouncer: a change on one instance is seen by the other within 1 s; revoke → 401 on the other's listener within 1 s", async () => {
  skipWithoutPgBouncer();
  test.setTimeout(120_000);
  if (!one || !two) throw new Error("not started");
  const tag = randomBytes(3).toString("hex");
  const slug = `pooled-${tag}`;
  const made = await api1("POST", "/products", { name: `Pooled ${tag}`, slug, summary: "Behind PgBouncer.", planIds: [await planId(conn, "Standard")] });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const productId = String(made.body.id);
  try {
    expect((await api1("POST", `/products/${productId}/publish`)).status).toBe(200);
    const renamed: number[] = [];
    for (let i = 0; i < 5; i++) {
      await until(async () => (await fetch(`${two?.url}/apis/${slug}`)).status === 200, 5000);
      const name = `Pooled ${tag} r${i}`;
      expect((await api1("PATCH", `/products/${productId}`, { name })).status).toBe(200);
      renamed.push(await until(async () => (await (await fetch(`${two?.url}/apis/${slug}`)).text()).includes(name), 5000));
    }
    console.log(`pgbouncer: rename on instance 1 → seen on instance 2 (ms) ${JSON.stringify(figures(renamed))}`);
    expect(figures(renamed).max).toBeLessThan(1000);
  } finally {
    await api1("POST", `/products/${productId}/archive`);
  }

  const revoked: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { requestId, key } = await claimedKey(conn, api1, { sentThrough: fake });
    const verify = () => fetch(`${twoVerify}?product=payments`, { headers: { "x-api-key": key } }).then((r) => r.status);
    for (let j = 0; j < 3; j++) expect(await verify()).toBe(200);
    expect((await api1("POST", `/access-requests/${requestId}/revoke`, { reason: "Pooler test over." })).status).toBe(200);
    revoked.push(await until(async () => (await verify()) === 401, 5000, 5));
  }
  console.log(`pgbouncer: revoke on instance 1 → 401 on instance 2's listener (ms) ${JSON.stringify(figures(revoked))}`);
  expect(figures(revoked).max).toBeLessThan(1000);
});

test("behind PgBouncer: the job worker (no prepared statements) delivers mail", async () => {
  skipWithoutPgBouncer();
  test.setTimeout(120_000);
  const tag = randomBytes(3).toString("hex");
  const ids = await conn.db.transaction((tx) =>
    enqueueEmails(
      tx,
      Array.from({ length: 200 }, (_, i) => ({
        to: `pooled-${tag}-${i}@example.com`,
        template: "sign-in" as const,
        props: { url: `${BASE_URL}/api/auth/callback/email?token=not-a-token-${i}`, host: "127.0.0.1", expiresInMinutes: 10 },
      })),
    ),
  );
  const rows = () => conn.db.select().from(emailMessages).where(inArray(emailMessages.id, ids));
  await until(async () => (await rows()).every((m) => m.status === "sent"), 60_000, 200);
  const sent = await rows();
  expect(sent.filter((m) => m.attempts !== 1)).toEqual([]);
  const pooled = sent.filter((m) => m.transport === "resend").length;
  console.log(`pgbouncer: 200 emails, ${pooled} sent by the worker behind the pooler, ${200 - pooled} by A's, each once`);
  expect(pooled).toBeGreaterThan(0);
});
