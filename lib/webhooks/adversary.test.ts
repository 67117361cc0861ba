import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailMessages, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { startWorker } from "@/lib/jobs/start-worker";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { outboxTransport } from "@/lib/mail/transport";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { refusal } from "@/tests/requests";
import { startWebhookReceiver } from "@/tests/webhook-receiver";
import { deliverWebhook } from "./deliver";
import { emitWebhookEvents } from "./emit";
import {
  createWebhookEndpoint,
  recoverFailedDeliveries,
  removeWebhookEndpoint,
  resendDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  setWebhookEndpointEnabled,
  updateWebhookEndpoint,
} from "./manage";
import { postMessage } from "./send";
import { rangeWords, targetProblem } from "./targets";

/**
 * The webhooks foundation attacked: targets an attacker or a careless operator can give, receivers
 * that answer badly, and workers that race. A test with a "before the fix" comment proves a hole
 * that was there (it failed on the old code); the others guard what already held.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const receiver = await startWebhookReceiver();
const open = { allowHttp: true, allowPrivate: true };
const strict = { allowHttp: false, allowPrivate: false };
const baseUrl = "http://portal.test";
const opts = { baseUrl, policy: open, delays: [0, 0, 0, 0, 0, 0, 0, 0], timeoutMs: 2_000 };
let admin: Actor;
const servers: Server[] = [];
afterAll(async () => {
  await receiver.close();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }): Actor => ({ kind: "user", id: u.id, role: u.role, disabled: false });

/** A receiver that answers every message with `handler` (a misbehaving third party). */
async function rogueReceiver(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

let n = 0;
/** An endpoint at `url` (saved with the open policy) and one test message waiting for it. */
async function endpointWithMessage(url: string) {
  const { endpoint, secret } = await createWebhookEndpoint(t.db, admin, { name: `Adversary ${++n}`, url, eventTypes: "all", productIds: "all" }, open);
  const { deliveryId, eventId } = await sendTestEvent(t.db, admin, endpoint.id);
  return { endpoint, secret, deliveryId, eventId };
}

const deliveryOf = async (id: string) => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0];
const attemptsOf = (id: string) => t.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, id)).orderBy(webhookAttempts.id);

beforeAll(async () => {
  admin = asActor(await f.user("admin"));
});

describe("send-time refusal is logged, not thrown", () => {
  // The endpoint was saved while private targets / http were allowed; the operator then switched
  // them off. Before the fix postMessage threw (a TDZ ReferenceError on its timer), so the attempt
  // was never logged and the delivery stayed pending, re-sent by every sweep, forever.
  it("an IP-literal private target is an attempt with a refusal, and the delivery moves on", async () => {
    const { deliveryId } = await endpointWithMessage(receiver.url);
    expect(await deliverWebhook(t.db, deliveryId, { ...opts, policy: { allowHttp: true, allowPrivate: false } })).toBe("failed");
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt).toMatchObject({ succeeded: false, statusCode: null });
    expect(attempt?.error).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    expect(await deliveryOf(deliveryId)).toMatchObject({ status: "pending", step: 1, leaseUntil: null });
  });

  it("an http target once http is switched off is an attempt with a refusal", async () => {
    const { deliveryId } = await endpointWithMessage(receiver.url);
    expect(await deliverWebhook(t.db, deliveryId, { ...opts, policy: { allowHttp: false, allowPrivate: true } })).toBe("failed");
    expect((await attemptsOf(deliveryId))[0]?.error).toMatch(/http is not allowed/);
  });

  it("postMessage resolves (never rejects) for every refused literal form", async () => {
    for (const url of ["http://127.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::]/", "http://0.0.0.0/", "http://2130706433/", "http://0x7f.1/", "http://[::127.0.0.1]/"]) {
      const outcome = await postMessage(url, {}, "{}", { allowHttp: true, allowPrivate: false }, 1_000);
      expect(outcome, url).toMatchObject({ succeeded: false, statusCode: null });
      expect(outcome.error, url).toMatch(/^refused/);
    }
  });

  // Before the fix the unseal error was thrown out of deliverWebhook: no attempt row, a retry every sweep.
  it("a secret that cannot be opened (AUTH_SECRET changed) is a logged failure, not an endless unlogged retry", async () => {
    const { endpoint, deliveryId } = await endpointWithMessage(receiver.url);
    await t.db.update(webhookEndpoints).set({ secret: "sealed:not-a-jwe" }).where(eq(webhookEndpoints.id, endpoint.id));
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("failed");
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt?.error).toMatch(/signing secret/);
    expect(await deliveryOf(deliveryId)).toMatchObject({ status: "pending", step: 1, leaseUntil: null });
  });
});

describe("a receiver's answer cannot break the log", () => {
  // Postgres text cannot hold U+0000: before the fix the attempt insert failed, the 200 was never
  // recorded and the same message was sent again on every sweep.
  it("an answer holding NUL bytes is stored without them and the delivery succeeds once", async () => {
    const url = await rogueReceiver((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok\u0000\u0000done\u0000"));
    const { deliveryId } = await endpointWithMessage(url);
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("sent");
    const attempts = await attemptsOf(deliveryId);
    expect(attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([[200, "okdone"]]);
    expect(await deliveryOf(deliveryId)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("invalid UTF-8 and a multi-byte character cut at 4 KB are stored", async () => {
    const url = await rogueReceiver((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("é".repeat(5000))]));
    });
    const { deliveryId } = await endpointWithMessage(url);
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("sent");
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt?.responseBody.startsWith("\ufffd")).toBe(true);
    expect(attempt?.responseBody.length).toBeLessThanOrEqual(4096);
  });

  it("an endless answer is cut at 4 KB and the socket closed; a silent receiver times out", async () => {
    let closed = 0;
    const endless = await rogueReceiver((req, res) => {
      res.writeHead(200);
      const pump = setInterval(() => res.write("x".repeat(16_384)), 1);
      res.on("close", () => {
        clearInterval(pump);
        closed++;
      });
    });
    const started = Date.now();
    const first = await postMessage(endless, {}, "{}", open, 2_000);
    expect(first).toMatchObject({ statusCode: 200, succeeded: true });
    expect(first.responseBody).toHaveLength(4096);
    const silent = await rogueReceiver(() => {});
    const second = await postMessage(silent, {}, "{}", open, 500);
    expect(second).toMatchObject({ statusCode: null, succeeded: false });
    expect(second.error).toMatch(/^timeout/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => closed).toBe(1);
  });

  it("a redirect to a private address is not followed", async () => {
    let hits = 0;
    const inner = await rogueReceiver((_req, res) => {
      hits++;
      res.end("inner");
    });
    const url = await rogueReceiver((_req, res) => res.writeHead(302, { location: inner }).end());
    const outcome = await postMessage(url, {}, "{}", open, 1_000);
    expect(outcome).toMatchObject({ statusCode: 302, succeeded: false });
    expect(hits).toBe(0);
  });
});

describe("targets", () => {
  it("names resolving to loopback are refused at save and at send (rebinding)", async () => {
    expect(await targetProblem("https://localhost/x", strict)).toMatch(/loopback/);
    const outcome = await postMessage(`http://localhost:${receiver.port}/hooks`, {}, "{}", { allowHttp: true, allowPrivate: false }, 1_000);
    expect(outcome.error).toMatch(/^refused: (127\.0\.0\.1|::1) is a loopback address/);
    expect(receiver.attempts.filter((a) => a.id === "undefined")).toHaveLength(0);
  });

  // Before the fix ::a.b.c.d was "unicast" to the check (unreachable on this host, but a host with an
  // automatic 6-in-4 tunnel routes it to the embedded IPv4 address).
  it("IPv4-compatible IPv6 (::/96, deprecated) is refused like the IPv4 address it embeds", async () => {
    expect(await targetProblem("https://[::127.0.0.1]/x", strict)).toMatch(/an IPv4-compatible address/);
    expect(await targetProblem("https://[::10.0.0.1]/x", strict)).not.toBeNull();
  });

  it("says the kind of address in words, never ipaddr.js's names", async () => {
    expect(await targetProblem("https://169.254.169.254/latest/meta-data", strict)).toBe(
      "“169.254.169.254” resolves to 169.254.169.254, a link-local address: webhooks go only to public addresses.",
    );
    expect(await targetProblem("https://100.64.0.1/", strict)).toMatch(/a carrier-grade NAT address/);
    expect(await targetProblem("https://[fd00:ec2::254]/", strict)).toMatch(/a unique-local address/);
    expect(await targetProblem("https://0.0.0.0/", strict)).toMatch(/an unspecified address/);
    // Every range ipaddr.js names, now or after an upgrade, reads as words.
    // (SpecialRanges is not in ipaddr.js's types, but is its table of range names.)
    const special = (proto: object) => Object.keys((proto as { SpecialRanges: Record<string, unknown> }).SpecialRanges);
    const names = [...special(ipaddr.IPv4.prototype), ...special(ipaddr.IPv6.prototype), "ipv4Compatible"];
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(rangeWords(name), name).not.toMatch(/[a-z][A-Z]/);
  });

  it("every IPv4 notation and v6 embedding of a private address is refused at save", async () => {
    for (const url of [
      "https://2130706433/",
      "https://017700000001/",
      "https://0x7f000001/",
      "https://127.1/",
      "https://0/",
      "https://0.0.0.0/",
      "https://[::]/",
      "https://[::ffff:169.254.169.254]/",
      "https://[64:ff9b::10.0.0.1]/",
      "https://[2002:7f00:1::]/",
      "https://[fd00:ec2::254]/",
      "https://100.64.0.1/",
      "https://127.0.0.1.:443/",
    ]) {
      expect(await targetProblem(url, strict), url).not.toBeNull();
    }
  });

  // A NUL reached Postgres before the fix: a 500 instead of a field error.
  it("a URL or product id holding NUL is a field error, nothing written", async () => {
    const input = { name: "Nul", eventTypes: "all" as const, productIds: "all" as const };
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "http://127.0.0.1/a\u0000b" }, open))).toMatch(/^invalid/);
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "http://127.0.0.1/a\nb" }, open))).toMatch(/^invalid/);
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: receiver.url, productIds: ["x\u0000"] }, open))).toMatch(/^invalid/);
    expect(await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.name, "Nul"))).toEqual([]);
  });
});

describe("concurrency", () => {
  it("two workers on one delivery: one attempt, one success", async () => {
    receiver.delay(300);
    try {
      const { secret, deliveryId, eventId } = await endpointWithMessage(receiver.url);
      receiver.setSecret(secret);
      const results = await Promise.all([deliverWebhook(t.db, deliveryId, opts), deliverWebhook(t.db, deliveryId, opts), deliverWebhook(t.db, deliveryId, opts)]);
      expect(results.sort()).toEqual(["sent", "skipped", "skipped"]);
      expect(await attemptsOf(deliveryId)).toHaveLength(1);
      expect(receiver.attempts.filter((a) => a.id === eventId)).toHaveLength(1);
      expect(await deliveryOf(deliveryId)).toMatchObject({ status: "succeeded", attempts: 1 });
    } finally {
      receiver.delay(0);
    }
  });

  // A worker stalled past its lease (a long GC pause, a slow database) must not write over the
  // attempt of the worker that took the delivery over: before the fix its late failure marked a
  // succeeded delivery failed and started the endpoint's failure streak.
  it("a late answer from an attempt whose lease lapsed does not overwrite the newer attempt's outcome", async () => {
    let calls = 0;
    const url = await rogueReceiver((_req, res) => {
      calls++;
      if (calls === 1) setTimeout(() => res.writeHead(500).end("late failure"), 800);
      else res.writeHead(204).end();
    });
    const { endpoint, deliveryId } = await endpointWithMessage(url);
    // the last step of the schedule, so a stale failure would mark it failed
    await t.db.update(webhookDeliveries).set({ step: 7 }).where(eq(webhookDeliveries.id, deliveryId));
    const stalled = deliverWebhook(t.db, deliveryId, opts);
    await expect.poll(() => calls).toBe(1);
    await t.db.update(webhookDeliveries).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(webhookDeliveries.id, deliveryId));
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("sent");
    await stalled;
    expect(await deliveryOf(deliveryId)).toMatchObject({ status: "succeeded" });
    expect((await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id)))[0]?.failingSince).toBeNull();
    // both attempts happened and both are in the log
    expect((await attemptsOf(deliveryId)).map((a) => a.statusCode).sort()).toEqual([204, 500]);
  });

  it("resend while pending is refused; recover leaves an in-flight delivery alone", async () => {
    const { endpoint, deliveryId } = await endpointWithMessage(receiver.url);
    expect(await refusal(resendDelivery(t.db, admin, deliveryId))).toMatch(/^conflict: This message is already waiting/);
    expect(await recoverFailedDeliveries(t.db, admin, endpoint.id, new Date(0))).toBe(0);
  });
});

describe("secrets", () => {
  it("the signing secret is sealed at rest and appears in no audit row, event, job or log", async () => {
    const { endpoint, secret } = await endpointWithMessage(receiver.url);
    const { secret: rotated } = await rotateWebhookSecret(t.db, admin, endpoint.id);
    const raw = secret.slice("whsec_".length);
    const rawRotated = rotated.slice("whsec_".length);
    const [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row?.secret).toMatch(/^sealed:/);
    expect(row?.previousSecret).toMatch(/^sealed:/);
    const dump = JSON.stringify([
      await t.db.select().from(auditEvents),
      await t.db.select().from(webhookEvents),
      await t.db.select().from(webhookAttempts),
      (await t.db.execute(sql`select payload from graphile_worker._private_jobs`)) as unknown,
    ]);
    for (const s of [raw, rawRotated]) expect(dump).not.toContain(s);
  });

  // Before the fix every manage.ts function returned the whole row, sealed secrets included: an
  // action handing the endpoint to a client component shipped them to the browser.
  it("what the admin functions return holds no sealed secret", async () => {
    const { endpoint } = await createWebhookEndpoint(t.db, admin, { name: "Returned", url: receiver.url, eventTypes: "all", productIds: "all" }, open);
    const returned = [
      endpoint,
      (await rotateWebhookSecret(t.db, admin, endpoint.id)).endpoint,
      await updateWebhookEndpoint(t.db, admin, endpoint.id, { name: "Returned", url: receiver.url, eventTypes: "all", productIds: "all" }, open),
      await setWebhookEndpointEnabled(t.db, admin, endpoint.id, false),
    ];
    for (const e of returned) {
      expect(e).not.toHaveProperty("secret");
      expect(e).not.toHaveProperty("previousSecret");
      expect(JSON.stringify(e)).not.toContain("sealed:");
    }
  });
});

describe("authorization", () => {
  it("owners, consumers, disabled admins and API keys (even Portal admin) manage no endpoint", async () => {
    const { endpoint, deliveryId } = await endpointWithMessage(receiver.url);
    const adminUser = await f.user("admin");
    const keyUser = await f.user("consumer");
    const actors: Actor[] = [
      asActor(await f.user("owner")),
      asActor(await f.user("consumer")),
      { kind: "user", id: adminUser.id, role: "admin", disabled: true },
      { kind: "apiKey", id: keyUser.id, keyId: "k", createdById: adminUser.id, name: "Automation", grants: [{ role: "portal_admin" }], role: "admin", disabled: false },
    ];
    const input = { name: "Forbidden", url: receiver.url, eventTypes: "all" as const, productIds: "all" as const };
    for (const actor of actors) {
      const calls = [
        createWebhookEndpoint(t.db, actor, input, open),
        updateWebhookEndpoint(t.db, actor, endpoint.id, input, open),
        setWebhookEndpointEnabled(t.db, actor, endpoint.id, false),
        rotateWebhookSecret(t.db, actor, endpoint.id),
        removeWebhookEndpoint(t.db, actor, endpoint.id),
        sendTestEvent(t.db, actor, endpoint.id),
        resendDelivery(t.db, actor, deliveryId),
        recoverFailedDeliveries(t.db, actor, endpoint.id, new Date(0)),
      ];
      for (const r of await Promise.all(calls.map(refusal))) expect(r, `${actor.kind} ${actor.role}`).toMatch(/^forbidden/);
    }
    expect((await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id)))[0]).toMatchObject({ enabled: true, name: endpoint.name });
  });
});

describe("volume", () => {
  // Before the fix every delivery of a change went into one INSERT (6 parameters a row) and one
  // add_job call (1 a row): a bulk decision of 1,000 requests (MAX_BULK) with 11 endpoints
  // subscribed passed Postgres' 65,534-parameter limit, so the decision itself failed. The same
  // call is made here with 1,000 product events, which cost the same rows and far less set-up.
  it("a change with 1,000 events and 11 endpoints subscribed commits, with every delivery and job", async () => {
    const existing = (await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true)))[0]?.n ?? 0;
    for (let i = existing; i < 11; i++) await createWebhookEndpoint(t.db, admin, { name: `Volume ${i}`, url: receiver.url, eventTypes: "all", productIds: "all" }, open);
    const endpoints = (await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true)))[0]?.n ?? 0;
    const product = f.product("payments");
    const occurrences = Array.from({ length: 1_000 }, () => ({ type: "product.published" as const, subjectType: "product" as const, subjectId: product.id }));
    const ids = await t.db.transaction((tx) => emitWebhookEvents(tx, occurrences));
    expect(ids).toHaveLength(1_000);
    const [counts] = await t.db.execute<{ deliveries: number; jobs: number }>(sql`
      select (select count(*)::int from webhook_deliveries d join webhook_events e on e.id = d.event_id where e.type = 'product.published') as deliveries,
             (select count(*)::int from graphile_worker._private_jobs j join webhook_deliveries d on j.key = 'webhook:' || d.id join webhook_events e on e.id = d.event_id where e.type = 'product.published') as jobs`);
    expect(counts).toEqual({ deliveries: 1_000 * endpoints, jobs: 1_000 * endpoints });
  }, 60_000);
});

describe("transactions and signing (guards)", () => {
  const eventsFor = (requestId: string, type: string) =>
    t.db.select().from(webhookEvents).where(sql`${webhookEvents.type} = ${type} and ${webhookEvents.body}::jsonb #>> '{data,request,id}' = ${requestId}`);
  const jobsFor = async (eventId: string) =>
    (
      await t.db.execute<{ n: number }>(
        sql`select count(*)::int as n from graphile_worker._private_jobs j join webhook_deliveries d on j.key = 'webhook:' || d.id where d.event_id = ${eventId}`,
      )
    )[0]?.n;

  it("a revocation rolled back leaves no event, delivery or job; committed, it has all three", async () => {
    await endpointWithMessage(receiver.url);
    const u = await f.user();
    await addToCart(t.db, u.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
    const request = await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Revoked app", reason: "Because" }, {});
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", comment: null, baseUrl });
    await t.db
      .transaction(async (tx) => {
        await revokeRequests(tx as never, admin, { requestIds: [request.id], reason: "Abuse", baseUrl });
        throw new Error("rollback");
      })
      .catch(() => {});
    expect(await eventsFor(request.id, "access_request.revoked")).toEqual([]);
    await revokeRequests(t.db, admin, { requestIds: [request.id], reason: "Abuse", baseUrl });
    const [event] = await eventsFor(request.id, "access_request.revoked");
    expect(event).toBeDefined();
    expect(event?.body).toContain('"comment":"Abuse"');
    expect(await jobsFor(event?.id ?? "")).toBeGreaterThan(0);
  });

  it("a rotated-out secret stops signing once its 24 hours are over", async () => {
    const { endpoint, deliveryId } = await endpointWithMessage(receiver.url);
    const { secret } = await rotateWebhookSecret(t.db, admin, endpoint.id, new Date(Date.now() - 25 * 3_600_000));
    receiver.setSecret(secret);
    expect(await deliverWebhook(t.db, deliveryId, opts)).toBe("sent");
    const last = receiver.attempts.at(-1);
    expect(String(last?.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(last?.verified).toBe(true);
  });
});

describe("a dead receiver and the rest of the job queue", () => {
  // Before the fix webhook jobs had the emails' priority: graphile-worker runs the oldest due job
  // first, so a sign-in email queued behind a backlog of messages to a receiver that never answers
  // waited for all of them, 10 s per slot (1,000 events on 4 slots: about 40 minutes without
  // sign-in). Webhook jobs now yield to every other job.
  it("a sign-in email is sent while a silent receiver holds a backlog", async () => {
    const w = await isolatedDatabase();
    const wf = await catalogueFixture(w.db);
    const wAdmin = asActor(await wf.user("admin"));
    const silent = await rogueReceiver(() => {});
    const { endpoint } = await createWebhookEndpoint(w.db, wAdmin, { name: "Silent", url: silent, eventTypes: "all", productIds: "all" }, open);
    for (let i = 0; i < 10; i++) await sendTestEvent(w.db, wAdmin, endpoint.id);
    const worker = await startWorker({
      connectionString: w.url,
      transport: outboxTransport,
      from: "p@example.com",
      baseUrl,
      concurrency: 2,
      pollInterval: 100,
      webhooks: { policy: open, delays: [0, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000], timeoutMs: 3_000 },
    });
    try {
      // the worker has taken the first webhook jobs; the email comes after the whole backlog
      const inFlight = async () => (await w.db.select().from(webhookDeliveries).where(sql`${webhookDeliveries.leaseUntil} is not null`)).length;
      await expect.poll(inFlight, { timeout: 5_000 }).toBe(2);
      const queued = Date.now();
      const id = await enqueueEmail(w.db, { to: "signin@example.com", template: "sign-in", props: { url: "http://portal.test/api/auth/callback/email?token=abc", host: "portal.test", expiresInMinutes: 10 } });
      await expect
        .poll(async () => (await w.db.select({ status: emailMessages.status }).from(emailMessages).where(eq(emailMessages.id, id)))[0]?.status, { timeout: 8_000, interval: 100 })
        .toBe("sent");
      // one attempt's timeout at most (both slots were busy), not the backlog's 5 rounds of 3 s
      expect(Date.now() - queued).toBeLessThan(6_000);
    } finally {
      await worker.stop();
    }
  }, 30_000);
});

describe("the audit log", () => {
  // Before the fix the audit data held the whole URL: incoming-webhook URLs of chat and automation
  // services carry their credential in the path or query, and a Portal viewer API key reads the
  // audit log although it may not see webhooks.
  it("keeps only the URL's origin", async () => {
    const url = "https://hooks.example.com/services/T000/B000/s3cr3tPath?token=s3cr3tQuery";
    const { endpoint } = await createWebhookEndpoint(t.db, admin, { name: "Chat", url, eventTypes: "all", productIds: "all" }, open);
    await updateWebhookEndpoint(t.db, admin, endpoint.id, { name: "Chat", url: `${url}&v=2`, eventTypes: "all", productIds: "all" }, open);
    await removeWebhookEndpoint(t.db, admin, endpoint.id);
    const rows = await t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, endpoint.id));
    expect(rows.map((r) => r.action).sort()).toEqual(["webhook_endpoint.created", "webhook_endpoint.removed", "webhook_endpoint.updated"]);
    for (const r of rows) expect(r.data).toMatchObject({ url: "https://hooks.example.com/…" });
    expect(JSON.stringify(rows)).not.toMatch(/s3cr3t/);
  });
});
