import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb } from "@/db/connect";
import { removeApiAccessKey } from "@/lib/api-access/manage";
import { checkToken } from "@/lib/api-access/tokens";
import { claimIdempotencyKey, fingerprintOf } from "@/lib/api/idempotency";
import { defineOperation, ok } from "@/lib/api/operation";
import { createApiRouter } from "@/lib/api/router";
import { userActor } from "@/lib/auth/permissions";
import { signInLimitReached, takeSignInSlot } from "@/lib/auth/sign-in-limits";
import { usageLimiter } from "@/lib/usage/limiter";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

/**
 * DESIGN.md §11: what one instance decides, every instance knows, because it lives in Postgres. Two
 * "instances" here are two separate connection pools (and, for the limiter, two limiter objects) on
 * one database, nothing shared in memory between them. The per-process caches that are kept
 * coherent by change notifications (verify key lookups, catalogue pages) are proven in
 * lib/coherence/changes.test.ts and the two-instance e2e.
 */
const t = await isolatedDatabase();
const a = createDb(t.url, { max: 5 });
const b = createDb(t.url, { max: 5 });
afterAll(async () => {
  await Promise.all([a.sql.end({ timeout: 5 }), b.sql.end({ timeout: 5 })]);
});

let f: Awaited<ReturnType<typeof catalogueFixture>>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
});

const address = () => `someone-${randomBytes(4).toString("hex")}@example.com`;

describe("sign-in limits are one count across instances", () => {
  const limits = { perAddressMinute: 1, perAddressHour: 3, perIpHour: 20 };

  it("a sign-in link sent through A: B refuses the next one for that address", async () => {
    const input = { address: address(), ip: "198.51.100.7" };
    expect(await a.db.transaction((tx) => takeSignInSlot(tx, input, limits))).toEqual({ ok: true });
    expect(await signInLimitReached(b.db, input, limits)).toBe(true);
    expect(await b.db.transaction((tx) => takeSignInSlot(tx, input, limits))).toEqual({ ok: false, limit: "address" });
  });

  it("12 requests at once, half on each instance: exactly the hourly limit pass", async () => {
    const input = { address: address(), ip: null };
    const hourly = { ...limits, perAddressMinute: 100 };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).db.transaction((tx) => takeSignInSlot(tx, input, hourly))),
    );
    expect(results.filter((r) => r.ok).length).toBe(3);
  });
});

describe("REST API idempotency keys are one record across instances", () => {
  let calls = 0;
  const create = defineOperation({
    operationId: "createThing",
    method: "POST",
    path: "/things",
    tag: "Test",
    summary: "Create a thing",
    roles: ["portal_admin"],
    body: z.object({ name: z.string() }),
    responses: { 200: { description: "Created." } },
    handler: async ({ body }) => ok({ name: body.name, call: ++calls }),
  });
  const routerOn = (db: typeof a.db) => createApiRouter([create], () => ({ db, baseUrl: API_BASE_URL }));
  const post = (router: ReturnType<typeof routerOn>, token: string, key: string) =>
    router(
      new Request(`${API_BASE_URL}/api/v1/things`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ name: "one" }),
      }),
    );

  it("a POST answered by A is replayed by B, not run again", async () => {
    const { token } = await apiHarness(a.db, f).token([{ role: "portal_admin" }]);
    const key = randomBytes(8).toString("hex");
    const first = await post(routerOn(a.db), token, key);
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const replay = await post(routerOn(b.db), token, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(firstBody);
    expect(calls).toBe(1);
  });

  it("while A is still running a request, B answers 409 for the same key", async () => {
    const { key: accessKey } = await apiHarness(a.db, f).token([{ role: "portal_admin" }]);
    const idem = randomBytes(8).toString("hex");
    const fingerprint = fingerprintOf("POST", "/things", '{"name":"one"}');
    expect(await claimIdempotencyKey(a.db, accessKey.id, idem, fingerprint)).toEqual({ kind: "run" });
    const onB = await claimIdempotencyKey(b.db, accessKey.id, idem, fingerprint);
    expect(onB).toMatchObject({ kind: "answer", result: { status: 409 } });
  });
});

describe("rate-limit counters are added up across instances through Postgres", () => {
  it("a limit used up on A: B, once it has flushed (≤ 1 s), refuses too", async () => {
    const limits = { ratePerMinute: 5, quotaPerMonth: null, enforce: true };
    const onA = usageLimiter(a.sql, { flushMs: 60_000 });
    const onB = usageLimiter(b.sql, { flushMs: 60_000 });
    const id = `req-${crypto.randomUUID()}`;
    const admittedOnA = Array.from({ length: 5 }, () => onA.check(id, limits).allowed).filter(Boolean).length;
    expect(admittedOnA).toBe(5);
    expect(onA.check(id, limits).allowed).toBe(false);
    await onA.flush();
    // B has not heard of this subject before its first call, so that call counts only there; its
    // flush (every second in production) adds it to Postgres and reads everyone's totals back.
    onB.check(id, limits);
    await onB.flush();
    expect(onB.check(id, limits)).toMatchObject({ allowed: false, limit: "rate" });
  });
});

describe("API access tokens are checked against the database by every instance", () => {
  it("a key removed through A stops working on B at once", async () => {
    const { token, key } = await apiHarness(a.db, f).token([{ role: "portal_viewer" }]);
    expect((await checkToken(b.db, token, { issuer: API_BASE_URL })).ok).toBe(true);
    await removeApiAccessKey(a.db, userActor(await f.user("admin")), { keyId: key.id });
    expect((await checkToken(b.db, token, { issuer: API_BASE_URL })).ok).toBe(false);
  });
});
