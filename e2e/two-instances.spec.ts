import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq, inArray } from "drizzle-orm";
import { emailMessages, products } from "../db/schema";
import { enqueueEmails } from "../lib/mail/enqueue-email";
import { type FakeResend, startFakeResend } from "../tests/fake-resend";
import { e2eDb } from "./db";
import { type Api, type Instance, claimedKey, figures, planId, portalAdminToken, restApi, sharedEnv, startNext, until } from "./instances";
import { BASE_URL } from "./keys-helpers";
import { freePort } from "./net";

/**
 * Issue 17, "Proven": two instances on one database. A is the suite's own server; B is started here
 * from the same build with the same database and secret, its own verify listener, and its own job
 * worker sending through a stand-in for Resend. What is changed through A must be true on B within
 * 1 s: B hears it only through the change notifications (lib/coherence/changes.ts).
 */
const conn = e2eDb();
let b: Instance | undefined;
let bVerify = "";
let fake: FakeResend | undefined;
let api: Api;

test.describe.configure({ mode: "serial" });

/** Published through A before B starts: B's build-time pages predate it. */
const product = { id: "", slug: "", name: "" };

test.beforeAll(async () => {
  test.setTimeout(90_000);
  api = restApi(BASE_URL, (await portalAdminToken(conn)).token);
  const tag = randomBytes(3).toString("hex");
  product.slug = `two-instances-${tag}`;
  // Featured, and "000 …" sorts first, so the home page's six featured products include it.
  product.name = `000 Coherence ${tag}`;
  const made = await api("POST", "/products", { name: product.name, slug: product.slug, summary: "Seen alike by every instance.", planIds: [await planId(conn, "Standard")] });
  if (made.status !== 201) throw new Error(`product not made: ${made.status} ${JSON.stringify(made.body)}`);
  product.id = String(made.body.id);
  if ((await api("POST", `/products/${product.id}/publish`)).status !== 200) throw new Error("product not published");
  await conn.db.update(products).set({ featured: true }).where(eq(products.id, product.id));

  fake = await startFakeResend();
  const verifyPort = await freePort();
  b = await startNext("B", await freePort(), {
    ...sharedEnv(),
    // One public address for every instance, as behind a load balancer: A's (the REST keys' issuer).
    AUTH_URL: BASE_URL,
    PORTICO_WORKER: "inline",
    PORTICO_VERIFY_PORT: String(verifyPort),
    RESEND_API_KEY: "re_two_instances",
    RESEND_BASE_URL: fake.url,
  });
  bVerify = `http://127.0.0.1:${verifyPort}/api/v1/keys/verify`;
});

test.afterAll(async () => {
  if (product.id) await api("POST", `/products/${product.id}/archive`);
  await b?.stop();
  await fake?.close();
  await conn.sql.end();
});

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed here.
test.afterEach(({}, info) => {
  if (info.status !== info.expectedStatus && b) console.log(`--- instance B's log ---\n${b.log()}`);
});

const page = (base: string, path: string) => fetch(`${base}${path}`).then(async (r) => ({ status: r.status, html: await r.text() }));

test("unpublish on A → B answers 404 within 1 s; rename on A → B shows the new name within 1 s (catalogue, product page, home)", async () => {
  test.setTimeout(120_000);
  if (!b) throw new Error("B did not start");
  const B = b.url;
  const { id: productId, slug } = product;
  let { name } = product;
  // A fresh instance serves no page from before it listened: the build's prerendered catalogue and
  // home page are older than this product.
  for (const path of ["/apis", "/", `/apis/${slug}`]) await until(async () => (await page(B, path)).html.includes(name), 1000);
  const unpublished: number[] = [];
  const republished: number[] = [];
  for (let i = 0; i < 10; i++) {
    // B has the page cached (it just served it).
    expect((await page(B, `/apis/${slug}`)).status).toBe(200);
    expect((await api("POST", `/products/${productId}/unpublish`)).status).toBe(200);
    unpublished.push(await until(async () => (await page(B, `/apis/${slug}`)).status === 404, 5000));
    expect((await page(BASE_URL, `/apis/${slug}`)).status).toBe(404);
    expect((await api("POST", `/products/${productId}/publish`)).status).toBe(200);
    republished.push(await until(async () => (await page(B, `/apis/${slug}`)).status === 200, 5000));
  }

  const renamed: number[] = [];
  for (let i = 0; i < 10; i++) {
    for (const path of [`/apis/${slug}`, "/apis", "/"]) expect((await page(B, path)).html, path).toContain(name);
    name = `${product.name} r${i}`;
    expect((await api("PATCH", `/products/${productId}`, { name })).status).toBe(200);
    const seen = await Promise.all(
      [`/apis/${slug}`, "/apis", "/"].map((path) => until(async () => (await page(B, path)).html.includes(name), 5000)),
    );
    renamed.push(Math.max(...seen));
  }

  console.log(`two instances: unpublish on A → 404 on B (ms) ${JSON.stringify(figures(unpublished))}`);
  console.log(`two instances: publish on A → 200 on B (ms) ${JSON.stringify(figures(republished))}`);
  console.log(`two instances: rename on A → new name on B's /apis/<slug>, /apis and / (ms) ${JSON.stringify(figures(renamed))}`);
  expect(figures(unpublished).p99).toBeLessThan(1000);
  expect(figures(republished).p99).toBeLessThan(1000);
  expect(figures(renamed).p99).toBeLessThan(1000);
});

test("revoke on A → B's listener and B's verify route answer 401 within 1 s; B answers from its cache in between", async () => {
  test.setTimeout(120_000);
  if (!b) throw new Error("B did not start");
  const routeOfB = `${b.url}/api/v1/keys/verify`;
  const verify = (url: string, key: string) => fetch(`${url}?product=payments`, { headers: { "x-api-key": key } }).then((r) => r.status);

  // B answers from memory: a revoke written with the triggers off (so nobody is told) is not seen by
  // B's listener or route until a change notification arrives.
  const quiet = await claimedKey(conn, api, { sentThrough: fake });
  expect([await verify(bVerify, quiet.key), await verify(routeOfB, quiet.key)]).toEqual([200, 200]);
  await conn.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`update api_keys set ends_at = now(), end_reason = 'revoked', revoked_at = now()
      where app_id = (select app_id from access_requests where id = ${quiet.requestId})`;
  });
  expect([await verify(bVerify, quiet.key), await verify(routeOfB, quiet.key)], "B answered from its cache").toEqual([200, 200]);
  await conn.sql`select pg_notify('portico_changes', 'api_keys')`;
  await until(async () => (await verify(bVerify, quiet.key)) === 401 && (await verify(routeOfB, quiet.key)) === 401, 1000);

  const listener: number[] = [];
  const route: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { requestId, key } = await claimedKey(conn, api, { sentThrough: fake });
    for (let j = 0; j < 5; j++) expect([await verify(bVerify, key), await verify(routeOfB, key)]).toEqual([200, 200]);
    expect((await api("POST", `/access-requests/${requestId}/revoke`, { reason: "Two-instance test over." })).status).toBe(200);
    const [onListener, onRoute] = await Promise.all([
      until(async () => (await verify(bVerify, key)) === 401, 5000, 5),
      until(async () => (await verify(routeOfB, key)) === 401, 5000, 5),
    ]);
    listener.push(onListener);
    route.push(onRoute);
  }
  console.log(`two instances: revoke on A → 401 on B's listener (ms) ${JSON.stringify(figures(listener))}`);
  console.log(`two instances: revoke on A → 401 on B's verify route (ms) ${JSON.stringify(figures(route))}`);
  expect(figures(listener).p99).toBeLessThan(1000);
  expect(figures(route).p99).toBeLessThan(1000);
});

test("200 emails with two workers running (A's and B's): each handed to a transport exactly once", async () => {
  test.setTimeout(120_000);
  if (!fake) throw new Error("no fake Resend");
  const tag = randomBytes(3).toString("hex");
  const ids = await conn.db.transaction((tx) =>
    enqueueEmails(
      tx,
      Array.from({ length: 200 }, (_, i) => ({
        to: `once-${tag}-${i}@example.com`,
        template: "sign-in" as const,
        props: { url: `${BASE_URL}/api/auth/callback/email?token=not-a-token-${i}`, host: "127.0.0.1", expiresInMinutes: 10 },
      })),
    ),
  );
  const rows = () => conn.db.select().from(emailMessages).where(inArray(emailMessages.id, ids));
  await until(async () => (await rows()).every((m) => m.status === "sent"), 60_000, 200);
  const sent = await rows();
  // deliverEmail counts an attempt before it hands the message over: 1 everywhere means once.
  expect(sent.filter((m) => m.attempts !== 1).map((m) => [m.id, m.attempts])).toEqual([]);
  const byB = sent.filter((m) => m.transport === "resend");
  const byA = sent.filter((m) => m.transport === "outbox");
  expect(byA.length + byB.length).toBe(200);
  // B's worker sends through the stand-in for Resend: once per message it took, none of A's.
  const sends = ids.map((id) => fake?.sendsByKey.get(id) ?? 0);
  expect(sends.filter((n) => n > 1)).toEqual([]);
  expect(sends.reduce((a, n) => a + n, 0)).toBe(byB.length);
  console.log(`two instances: 200 emails, ${byA.length} sent by A's worker, ${byB.length} by B's, each once`);
  expect(byA.length, "A's worker took part").toBeGreaterThan(0);
  expect(byB.length, "B's worker took part").toBeGreaterThan(0);
});
