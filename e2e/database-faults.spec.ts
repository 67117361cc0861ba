import { type ChildProcess, spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { cartItems } from "../db/schema";
import { userActor } from "../lib/auth/permissions";
import { claimKey } from "../lib/keys/claim-key";
import { catalogueFixture } from "../tests/fixtures";
import { ownPostgres } from "../tests/own-postgres";
import { approvedRequest } from "../tests/requests";
import { callAction, sessionCookie } from "./actions";
import { freePort, waitForPort } from "./net";

/**
 * Issue 17, "faults that heal themselves", for what only a Next server answers: its verify route,
 * pages, the session behind the header, a server action — beside the dedicated verify listener.
 * This file starts its OWN PostgreSQL and its own `next start` (the build the suite made) against
 * it, so freezing or stopping that database touches no other spec. The listener and the REST API
 * are also probed in tests/database-faults.test.ts.
 */
const ANSWER_WITHIN = 2000;
/**
 * The change listener notices a frozen database after 1000 ms without a heartbeat answer and
 * verify stops answering from memory then: before that, a key may still be answered 200 from
 * memory, as it would have been a moment earlier. After it, never.
 */
const CACHE_DROPPED_WITHIN = 1500;
const UNAVAILABLE_BODY = { valid: false, error: "Portico cannot check keys right now; retry shortly." };

test.describe.configure({ mode: "serial" });

let pg: Awaited<ReturnType<typeof ownPostgres>>;
let conn: ReturnType<typeof createDb>;
let server: ChildProcess | undefined;
let base = "";
let listener = "";
let key = "";
let cookie = "";
let pair: { productId: string; planId: string };

test.beforeAll(async () => {
  test.setTimeout(240_000);
  pg = await ownPostgres("e2e");
  conn = createDb(pg.url, { max: 4 });
  const f = await catalogueFixture(conn.db);
  const owner = await f.owner();
  const granted = await approvedRequest({ db: conn.db, f, approver: userActor(owner), baseUrl: "http://portal.test" }, { slugs: ["payments"] });
  key = (await claimKey(conn.db, granted.token, granted.user.id, { prefix: "ptk" })).plaintext;
  cookie = await sessionCookie(conn, granted.user.id);
  pair = { productId: f.product("payments").id, planId: f.plan("Standard").id };

  const port = await freePort();
  const verifyPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  listener = `http://127.0.0.1:${verifyPort}`;
  server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: pg.url,
      AUTH_URL: base,
      AUTH_SECRET: process.env.AUTH_SECRET ?? "portico-e2e-faults-secret-portico-e2e",
      PORTICO_VERIFY_PORT: String(verifyPort),
      PORTICO_WORKER: "off",
      // the default (lib/env.ts), stated: the answers below must come within 2 s with it
      PORTICO_DB_TIMEOUT_MS: "1200",
    },
  });
  await waitForPort(port, 600);
  await waitForPort(verifyPort, 600);
});

test.afterAll(async () => {
  pg?.thaw();
  server?.kill("SIGTERM");
  await conn?.sql.end({ timeout: 1 }).catch(() => {});
  await pg?.destroy();
});

type Answer = { status: number; body: string; retryAfter: string | null };
type Probe = Answer & { name: string; at: number; ms: number };

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(15_000) });
  return { status: r.status, body: await r.text(), retryAfter: r.headers.get("retry-after") };
}

function probes(request: Parameters<typeof callAction>[0]) {
  return {
    route: () => get(`${base}/api/v1/keys/verify?product=payments`, { "x-api-key": key }),
    listener: () => get(`${listener}/api/v1/keys/verify?product=payments`, { "x-api-key": key }),
    page: () => get(`${base}/requests`, { cookie }),
    session: () => get(`${base}/api/session`, { cookie }),
    action: async (): Promise<Answer> => {
      // posted where the form is (Next finds an action through the page that uses it)
      const r = await callAction(request, { page: `${base}/apis/payments`, file: "app/(consumer)/cart/actions.ts", name: "addToCartAction", fields: pair, cookie });
      return { status: r.status, body: r.text, retryAfter: null };
    },
  };
}

/** Every probe, one after another (100 ms apart) each, all in parallel, for `ms`. */
async function probeFor(all: ReturnType<typeof probes>, ms: number, since: number) {
  const out: Probe[] = [];
  const end = performance.now() + ms;
  await Promise.all(
    Object.entries(all).map(async ([name, probe]) => {
      while (performance.now() < end) {
        const start = performance.now();
        const answer = await probe().catch((e: unknown) => ({ status: 0, body: String(e), retryAfter: null }));
        out.push({ name, at: start - since, ms: performance.now() - start, ...answer });
        await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
  return out;
}

const normal = (name: string, a: Answer) =>
  name === "action" ? a.status === 200 && a.body.includes('"ok":true') : name === "session" ? a.status === 200 && a.body.includes('"user":{') : a.status === 200;

/** ms from `since` until every probe has had a normal answer. */
async function recovery(all: ReturnType<typeof probes>, since: number, limitMs = 10_000) {
  const seen = new Map<string, number>();
  while (seen.size < Object.keys(all).length && performance.now() - since < limitMs) {
    await Promise.all(
      Object.entries(all).map(async ([name, probe]) => {
        if (seen.has(name)) return;
        // a pair already in the cart is refused: each try starts from an empty cart
        if (name === "action") await conn.db.delete(cartItems).where(eq(cartItems.productId, pair.productId)).catch(() => {});
        const answer = await probe().catch(() => null);
        if (answer && normal(name, answer)) seen.set(name, performance.now() - since);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  return Object.fromEntries(Object.keys(all).map((name) => [name, Math.round(seen.get(name) ?? Number.POSITIVE_INFINITY)]));
}

function expectUnavailableAnswers(seen: Probe[], label: string) {
  expect(seen.filter((p) => p.ms >= ANSWER_WITHIN).map((p) => `${p.name} at ${Math.round(p.at)} ms took ${Math.round(p.ms)} ms`), label).toEqual([]);
  for (const p of seen) {
    const where = `${label}: ${p.name} at ${Math.round(p.at)} ms`;
    if (p.name === "route" || p.name === "listener") {
      if (p.at >= CACHE_DROPPED_WITHIN || p.status !== 200) {
        expect(p.status, where).toBe(503);
        expect(JSON.parse(p.body), where).toEqual(UNAVAILABLE_BODY);
        expect(p.retryAfter, where).toBe("1");
      }
    } else if (p.name === "page") {
      expect(p.status, where).toBe(503);
      expect(p.body, where).toContain("Temporarily unavailable");
      expect(p.body, where).not.toContain("Sign in");
    } else if (p.name === "session") {
      expect(p.status, where).toBe(503);
      expect(p.body, where).toContain("unavailable");
    } else {
      expect(p.status, where).toBe(200);
      expect(p.body, where).toContain("Nothing was changed: the database is not answering right now. Try again in a moment.");
    }
  }
}

test("database frozen (SIGSTOP) for 10 s: verify 503 with one body on the route and the listener, pages 503 'temporarily unavailable', actions 'nothing was changed', all within 2 s; normal within 2 s of SIGCONT", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const all = probes(request);
  // warm: every probe answers normally first (modules loaded, pools open)
  expect(Object.values(await recovery(all, performance.now(), 60_000))).not.toContain(Number.POSITIVE_INFINITY);
  await conn.db.delete(cartItems).where(eq(cartItems.productId, pair.productId));

  await page.context().addCookies([{ name: "authjs.session-token", value: cookie.split("=")[1] ?? "", url: base }]);
  const frozenAt = performance.now();
  expect(pg.freeze()).toBeGreaterThan(2);
  let seen: Probe[] = [];
  try {
    const browsing = (async () => {
      // a signed-in person opening a page: told it is unavailable, never sent to sign in
      await page.goto(`${base}/requests`);
      await expect(page.getByRole("heading", { name: "Temporarily unavailable" })).toBeVisible();
      await expect(page.getByText("Nothing has signed you out.")).toBeVisible();
      // the cached catalogue still shows; its header does not claim the visitor is signed out
      await page.goto(`${base}/apis`);
      await expect(page.getByTestId("account-unavailable")).toBeVisible();
      await expect(page.getByRole("link", { name: "Sign in" })).toHaveCount(0);
      // signed out, a dynamic page failing while it renders (no session check in front): the error boundary says the same
      await page.context().clearCookies();
      await page.goto(`${base}/apis?q=${encodeURIComponent(`pay ${Date.now()}`)}`);
      await expect(page.getByTestId("unavailable")).toBeVisible();
    })();
    seen = await probeFor(all, 10_000, frozenAt);
    await browsing;
  } finally {
    pg.thaw();
  }
  const back = await recovery(all, performance.now());
  console.log(
    `database frozen 10 s: ${seen.length} probes, slowest ${Math.round(Math.max(...seen.map((p) => p.ms)))} ms; normal again after SIGCONT in ${JSON.stringify(back)} ms`,
  );
  expect(seen.filter((p) => p.name === "route").length).toBeGreaterThan(10);
  expectUnavailableAnswers(seen, "frozen");
  // After a freeze the server first answers the statements left waiting on its connections: on the
  // 2-core CI machine the route and the action took 1.0–1.5 s (2026-12-02, on the code of the two
  // sessions before too), where a stopped server's restart is seen within 1 s (below).
  for (const [name, ms] of Object.entries(back)) expect(ms, `${name} normal again after`).toBeLessThan(2000);
  // the refused adds changed nothing: the one row is the recovery probe's
  expect(await conn.db.select().from(cartItems).where(and(eq(cartItems.productId, pair.productId), eq(cartItems.planId, pair.planId)))).toHaveLength(1);
  // the error page and the 503 page retry by themselves
  await expect(page.getByTestId("unavailable")).toHaveCount(0, { timeout: 15_000 });
});

test("database stopped (connections refused): the same answers; normal within 1 s of its restart", async ({ request }) => {
  test.setTimeout(120_000);
  const all = probes(request);
  expect(Object.values(await recovery(all, performance.now(), 30_000))).not.toContain(Number.POSITIVE_INFINITY);
  const stoppedAt = performance.now();
  await pg.stop();
  let seen: Probe[] = [];
  try {
    seen = await probeFor(all, 3000, stoppedAt);
  } finally {
    await pg.start();
  }
  const back = await recovery(all, performance.now());
  console.log(`database stopped: ${seen.length} probes; normal again after its restart in ${JSON.stringify(back)} ms`);
  expectUnavailableAnswers(seen, "stopped");
  for (const [name, ms] of Object.entries(back)) expect(ms, `${name} normal again after`).toBeLessThan(1000);
});
