import { type ChildProcess, spawn } from "node:child_process";
import { and, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailMessages, users, webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { startWorker } from "@/lib/jobs/start-worker";
import { outboxTransport } from "@/lib/mail/transport";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { startWebhookReceiver } from "@/tests/webhook-receiver";
import { deliverWebhook } from "./deliver";
import { createWebhookEndpoint, removeWebhookEndpoint, sendTestEvent } from "./manage";
import { RETRY_DELAYS_MS, retryDelays } from "./schedule";

/**
 * Delivery under faults, with the real worker (graphile-worker) and a real receiver that verifies
 * with the `standardwebhooks` package. Retry schedules are COMPRESSED here (milliseconds instead of
 * minutes and hours) so the tests take seconds; the production schedule is asserted on its own.
 */

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const open = { allowHttp: true, allowPrivate: true };
const strict = { allowHttp: false, allowPrivate: false };
const baseUrl = "http://portal.test";
let admin: Actor;

const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }): Actor => ({ kind: "user", id: u.id, role: u.role, disabled: false });

async function waitUntil(check: () => Promise<boolean>, ms: number, every = 100) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return false;
}

const worker = (delays: readonly number[], policy = open) =>
  startWorker({ connectionString: t.url, transport: outboxTransport, from: "p@example.com", baseUrl, pollInterval: 100, webhooks: { policy, delays } });

/** An endpoint for one test (removed by the test, so later tests' events do not reach it). */
async function endpointFor(url: string, receiver?: { setSecret: (s: string) => void }, policy = open) {
  const { endpoint, secret } = await createWebhookEndpoint(t.db, admin, { name: `Faults ${crypto.randomUUID()}`, url, eventTypes: "all", productIds: "all" }, policy);
  receiver?.setSecret(secret);
  return { endpoint, secret };
}

const deliveriesTo = (endpointId: string) => t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
const attemptsOf = (deliveryId: string) => t.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(webhookAttempts.id);

/** A port nothing listens on (a receiver started and closed). */
async function closedPort() {
  const r = await startWebhookReceiver();
  await r.close();
  return r.port;
}

beforeAll(async () => {
  admin = asActor(await f.user("admin"));
});

/** graphile jobs of a delivery that a worker pool holds locked. */
const lockedJobsOf = (deliveryId: string) =>
  t.db.execute<{ id: string; locked_by: string }>(
    sql`select j.id::text, j.locked_by from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'deliver-webhook' and j.payload->>'deliveryId' = ${deliveryId} and j.locked_by is not null`,
  );

describe("the retry schedule", () => {
  it("is at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h in production (no override set)", () => {
    const s = 1000;
    const min = 60 * s;
    const h = 60 * min;
    expect(RETRY_DELAYS_MS).toEqual([0, 5 * s, 5 * min, 30 * min, 2 * h, 5 * h, 10 * h, 10 * h]);
    expect(retryDelays({} as NodeJS.ProcessEnv)).toBe(RETRY_DELAYS_MS);
    expect(() => retryDelays({ PORTICO_WEBHOOK_RETRY_DELAYS: "0,1,2" } as unknown as NodeJS.ProcessEnv)).toThrow(/8 comma-separated/);
  });
});

describe("delivery under faults (compressed retry schedule)", () => {
  it("a receiver answering 500 to its first 3 attempts gets the event once, same webhook-id on all 4 attempts (compressed schedule 0/50 ms)", async () => {
    const receiver = await startWebhookReceiver();
    const { endpoint } = await endpointFor(receiver.url, receiver);
    receiver.failNext(3);
    const w = await worker([0, 50, 50, 50, 50, 50, 50, 50]);
    try {
      const u = await f.user();
      await addToCart(t.db, u.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
      await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Retry app", reason: "Because" }, {});
      expect(await waitUntil(async () => (await deliveriesTo(endpoint.id)).some((d) => d.status === "succeeded"), 20_000)).toBe(true);
    } finally {
      await w.stop();
    }
    const [delivery, ...others] = await deliveriesTo(endpoint.id);
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 4, lastStatusCode: 204 });
    const attempts = await attemptsOf(delivery?.id ?? "missing");
    expect(attempts.map((a) => [a.statusCode, a.succeeded])).toEqual([
      [500, false],
      [500, false],
      [500, false],
      [204, true],
    ]);
    expect(receiver.attempts.map((a) => a.id)).toEqual(Array(4).fill(delivery?.eventId));
    expect(receiver.attempts.every((a) => a.verified)).toBe(true);
    expect([...receiver.unique.keys()]).toEqual([delivery?.eventId]);
    expect(receiver.unique.get(delivery?.eventId ?? "")?.type).toBe("access_request.created");
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    await receiver.close();
  }, 40_000);

  it("a worker process SIGKILLed mid-delivery: the delivery is sent again by a new worker with the same webhook-id, the receiver keeps one", async () => {
    const receiver = await startWebhookReceiver();
    const { endpoint } = await endpointFor(receiver.url, receiver);
    receiver.delay(8_000); // still answering when the worker dies
    const { eventId, deliveryId } = await sendTestEvent(t.db, admin, endpoint.id);
    const env = {
      ...process.env,
      DATABASE_URL: t.url,
      PORTICO_WEBHOOK_ALLOW_HTTP: "on",
      PORTICO_WEBHOOK_ALLOW_PRIVATE: "on",
      PORTICO_WEBHOOK_RETRY_DELAYS: "0,50,50,50,50,50,50,50",
    };
    const children: ChildProcess[] = [];
    const spawnWorker = () => {
      const child = spawn("npx", ["tsx", "scripts/worker.ts"], { env, stdio: "ignore", detached: true });
      children.push(child);
      return child;
    };
    try {
      const first = spawnWorker();
      expect(await waitUntil(async () => receiver.attempts.length > 0, 30_000)).toBe(true);
      if (first.pid) process.kill(-first.pid, "SIGKILL");
      receiver.delay(0);
      const [mid] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      expect(mid).toMatchObject({ status: "pending", attempts: 1 });
      expect(mid?.leaseUntil).not.toBeNull();
      // The delivery is owed again once its lease (attempt timeout + 10 s) has lapsed and it is 30 s overdue;
      // a starting worker sweeps at once (the minute's sweep would otherwise take it). Those 30-odd
      // seconds are moved on the clock rather than waited for: the lease and the next attempt 40 s
      // earlier. The real waits, with the default heartbeat and staleness, are worker-liveness.test's.
      await t.db.execute(
        sql`update ${webhookDeliveries} set lease_until = lease_until - interval '40 seconds', next_attempt_at = next_attempt_at - interval '40 seconds' where id = ${deliveryId}`,
      );
      const sweepable = sql`${webhookDeliveries.leaseUntil} < now() and ${webhookDeliveries.nextAttemptAt} < now() - interval '30 seconds'`;
      expect((await t.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), sweepable))).length).toBe(1);
      const deadJobs = await lockedJobsOf(deliveryId);
      expect(deadJobs.length).toBe(1);
      spawnWorker();
      expect(
        await waitUntil(async () => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)))[0]?.status === "succeeded", 45_000, 250),
      ).toBe(true);
      // Sent by the new worker's sweep: the dead worker's job is still locked by the dead pool (its last
      // beat is seconds old, not yet stale), so it was not that job, released and run again, that sent
      // it. The new worker's own job may still be finishing (locked by its pool until graphile-worker
      // completes it, after the delivery's row says succeeded): on a busy machine CI saw it here.
      const stillLocked = await lockedJobsOf(deliveryId);
      expect(stillLocked.filter((j) => j.id === deadJobs[0]?.id)).toEqual(deadJobs.map((j) => ({ id: j.id, locked_by: j.locked_by })));
      // Nor does that job stay locked: once the dead pool's last beat is 30 s old (moved back 40 s
      // here), the new worker's liveness sweep (every 5 s; lib/jobs/worker-liveness.ts) releases it.
      // It never runs again: the sweep's add_jobs, finding it locked, retired it (graphile-worker).
      await t.db.execute(sql`update job_workers set heartbeat_at = heartbeat_at - interval '40 seconds' where id = ${deadJobs[0]?.locked_by ?? ""}`);
      expect(await waitUntil(async () => (await lockedJobsOf(deliveryId)).length === 0, 30_000, 250)).toBe(true);
    } finally {
      for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, "SIGKILL");
    }
    // At least once: sent twice with one webhook-id; the receiver's dedup keeps one message.
    const seen = receiver.attempts.filter((a) => a.id === eventId);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((a) => a.verified)).toBe(true);
    expect([...receiver.unique.keys()]).toEqual([eventId]);
    const [done] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, leaseUntil: null });
    // The killed attempt left no row; the one that completed did.
    expect((await attemptsOf(deliveryId)).map((a) => a.statusCode)).toEqual([204]);
    // Run again, the delivery is a no-op.
    expect(await deliverWebhook(t.db, deliveryId, { baseUrl, policy: open })).toBe("skipped");
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    await receiver.close();
  }, 150_000);

  it("1,000 events while the receiver is down (≥ 10 minutes, schedule compressed 600×: 5 min → 500 ms) all arrive once it is back: none lost, each once, none left pending or failed", async () => {
    const port = await closedPort();
    const { endpoint, secret } = await endpointFor(`http://127.0.0.1:${port}/hooks`);
    // The production schedule divided by 600: at once, 8 ms, 500 ms, 3 s, 12 s, 30 s, 60 s, 60 s.
    const w = await worker(RETRY_DELAYS_MS.map((d) => Math.round(d / 600)));
    const count = async (where: ReturnType<typeof sql>) =>
      (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from ${webhookDeliveries} where endpoint_id = ${endpoint.id} and ${where}`))[0]?.n;
    const started = Date.now();
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
    const ids: string[] = [];
    try {
      for (let i = 0; i < 1000; i += 20) {
        const batch = await Promise.all(Array.from({ length: 20 }, () => sendTestEvent(t.db, admin, endpoint.id)));
        ids.push(...batch.map((b) => b.eventId));
      }
      const lastMade = Date.now();
      // Down until every message has failed at least once and "10 minutes" (1 s) have passed since the last was made.
      expect(await waitUntil(async () => (await count(sql`attempts >= 1 and last_attempt_at is not null and status = 'pending'`)) === 1000, 240_000, 500)).toBe(true);
      await new Promise((r) => setTimeout(r, Math.max(0, lastMade + 1000 - Date.now())));
      receiver = await startWebhookReceiver({ secret, port });
      const back = Date.now();
      expect(await waitUntil(async () => (await count(sql`status = 'succeeded'`)) === 1000, 240_000, 500)).toBe(true);
      console.log(`1,000 events: made in ${lastMade - started} ms, receiver back after ${back - started} ms, all delivered after ${Date.now() - started} ms`);
    } finally {
      await w.stop();
    }
    if (!receiver) throw new Error("the receiver never came back");
    expect(receiver.unique.size).toBe(1000);
    expect(new Set(receiver.unique.keys())).toEqual(new Set(ids));
    expect(receiver.attempts.every((a) => a.verified)).toBe(true);
    const rows = await deliveriesTo(endpoint.id);
    expect(rows.filter((d) => d.status !== "succeeded")).toEqual([]);
    expect(rows.every((d) => d.attempts >= 2)).toBe(true);
    // Each message accepted (2xx) exactly once by the sender's own log; the failed attempts are logged too.
    const [twice] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from (select delivery_id from ${webhookAttempts} where endpoint_id = ${endpoint.id} and succeeded group by delivery_id having count(*) <> 1) x`,
    );
    expect(twice?.n).toBe(0);
    const [refused] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from ${webhookAttempts} where endpoint_id = ${endpoint.id} and not succeeded and error = 'network error: ECONNREFUSED'`);
    expect(refused?.n).toBeGreaterThanOrEqual(1000);
    // a success ended the endpoint's failure streak
    const [ep] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep?.failingSince).toBeNull();
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    await receiver.close();
  }, 540_000);
});

describe("an endpoint failing for days", () => {
  const opts = { baseUrl, policy: open, delays: [0, 0, 0, 0, 0, 0, 0, 0] };
  const activeAdmins = async () =>
    (await t.db.select({ email: users.email }).from(users).where(and(eq(users.role, "admin"), eq(users.kind, "person"), sql`${users.disabledAt} is null`))).map((u) => u.email).sort();
  const mailsAbout = async (template: string, endpointName: string) =>
    (await t.db.select().from(emailMessages).where(and(eq(emailMessages.template, template), sql`${emailMessages.props}->>'endpointName' = ${endpointName}`))).map((m) => m.to).sort();
  const failingFor = (endpointId: string, interval: string) =>
    t.db.execute(sql`update ${webhookEndpoints} set failing_since = now() - ${interval}::interval where id = ${endpointId}`);

  it("after 4 days the admins are warned once; after 5 the endpoint is disabled, its pending messages fail, admins are told, the audit says so", async () => {
    const { endpoint } = await endpointFor(`http://127.0.0.1:${await closedPort()}/hooks`);
    const admins = await activeAdmins();
    expect(admins.length).toBeGreaterThan(0);
    const first = await sendTestEvent(t.db, admin, endpoint.id);
    expect(await deliverWebhook(t.db, first.deliveryId, opts)).toBe("failed");
    expect(await mailsAbout("webhook-failing", endpoint.name)).toEqual([]);

    await failingFor(endpoint.id, "4 days 1 minute");
    expect(await deliverWebhook(t.db, first.deliveryId, opts)).toBe("failed");
    expect(await mailsAbout("webhook-failing", endpoint.name)).toEqual(admins);
    expect(await deliverWebhook(t.db, first.deliveryId, opts)).toBe("failed");
    expect(await mailsAbout("webhook-failing", endpoint.name)).toEqual(admins); // only once
    expect(await mailsAbout("webhook-disabled", endpoint.name)).toEqual([]);

    const second = await sendTestEvent(t.db, admin, endpoint.id);
    await failingFor(endpoint.id, "5 days 1 minute");
    expect(await deliverWebhook(t.db, first.deliveryId, opts)).toBe("failed");
    const [ep] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep).toMatchObject({ enabled: false, disabledReason: "failing" });
    const statuses = await t.db.select({ id: webhookDeliveries.id, status: webhookDeliveries.status }).from(webhookDeliveries).where(inArray(webhookDeliveries.id, [first.deliveryId, second.deliveryId]));
    expect(statuses.map((d) => d.status)).toEqual(["failed", "failed"]);
    expect(await mailsAbout("webhook-disabled", endpoint.name)).toEqual(admins);
    const audit = await t.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, endpoint.id), eq(auditEvents.action, "webhook_endpoint.disabled")));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "system", actorId: null, subjectType: "webhook_endpoint", data: { reason: "failing" } });
    // the second message is not attempted by a disabled endpoint
    expect(await deliverWebhook(t.db, second.deliveryId, opts)).toBe("skipped");
    expect(await mailsAbout("webhook-disabled", endpoint.name)).toEqual(admins);
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
  });

  it("one success ends the failure streak (no warning, no disabling after it)", async () => {
    const receiver = await startWebhookReceiver();
    const { endpoint } = await endpointFor(receiver.url, receiver);
    await t.db.execute(sql`update ${webhookEndpoints} set failing_since = now() - interval '4 days 2 hours', failure_warned_at = now() - interval '2 hours' where id = ${endpoint.id}`);
    const { deliveryId } = await sendTestEvent(t.db, admin, endpoint.id);
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("sent");
    const [ep] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep).toMatchObject({ enabled: true, failingSince: null, failureWarnedAt: null });
    // a failure now starts a new streak from now, far from any warning
    receiver.failNext(1);
    const next = await sendTestEvent(t.db, admin, endpoint.id);
    expect(await deliverWebhook(t.db, next.deliveryId, opts)).toBe("failed");
    const [again] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(Date.now() - (again?.failingSince?.getTime() ?? 0)).toBeLessThan(60_000);
    expect(await mailsAbout("webhook-failing", endpoint.name)).toEqual([]);
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    await receiver.close();
  });
});

describe("DNS rebinding", () => {
  it("an endpoint saved while private targets were allowed is refused at send time once they are not: localhost resolves to 127.0.0.1", async () => {
    const receiver = await startWebhookReceiver();
    const url = `https://localhost:${receiver.port}/hooks`;
    const { endpoint } = await endpointFor(url, receiver, open);
    const { deliveryId } = await sendTestEvent(t.db, admin, endpoint.id);
    const w = await worker([0, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000], strict);
    try {
      expect(await waitUntil(async () => (await attemptsOf(deliveryId)).length > 0, 20_000)).toBe(true);
    } finally {
      await w.stop();
    }
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt).toMatchObject({ succeeded: false, statusCode: null, error: "refused: 127.0.0.1 is a loopback address" });
    expect(receiver.attempts).toEqual([]);
    const [d] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    expect(d).toMatchObject({ status: "pending", step: 1, lastStatusCode: null });
    // saved now, under the same policy, it is refused on its URL
    const saved = await createWebhookEndpoint(t.db, admin, { name: "Rebound", url, eventTypes: "all", productIds: "all" }, strict).catch((e: unknown) => e);
    expect(saved).toMatchObject({ code: "invalid", fieldErrors: { url: expect.stringMatching(/resolves to 127\.0\.0\.1, a loopback address/) } });
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    await receiver.close();
  });
});
