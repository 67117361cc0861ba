import { inArray } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { startWorker } from "@/lib/jobs/start-worker";
import { isolatedDatabase } from "@/tests/database";
import { startFakeResend } from "@/tests/fake-resend";
import { enqueueEmail, enqueueEmails } from "./enqueue-email";
import { resendTransport } from "./transport";

const t = await isolatedDatabase();
const fake = await startFakeResend();
process.env.RESEND_BASE_URL = fake.url;
afterAll(() => fake.close());

const props = { url: "http://localhost:3000/api/auth/callback/email?token=t", host: "localhost:3000", expiresInMinutes: 10 };

async function waitUntil(check: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe("delivery when the provider fails", () => {
  it("retries with backoff until every message is sent, once per job key", async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => enqueueEmail(t.db, { to: `r${i}@example.com`, template: "sign-in", props })));
    fake.failNext(2);
    // the schedule compressed (sign-in mail waits 10 s, then 30 s)
    const worker = await startWorker({
      connectionString: t.url,
      transport: resendTransport("re_test"),
      from: "p@example.com",
      baseUrl: "http://portal.test",
      pollInterval: 200,
      email: { schedule: { delays: [200], repeatLast: true } },
    });
    try {
      const allSent = await waitUntil(async () => {
        const rows = await t.db.select({ status: emailMessages.status }).from(emailMessages).where(inArray(emailMessages.id, ids));
        return rows.every((r) => r.status === "sent");
      }, 40_000);
      expect(allSent).toBe(true);
    } finally {
      await worker.stop();
    }
    const rows = await t.db.select().from(emailMessages).where(inArray(emailMessages.id, ids));
    // Two sends failed and were retried: 7 attempts in all, every message accepted exactly once.
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(7);
    expect(rows.filter((r) => r.attempts === 2)).toHaveLength(2);
    for (const id of ids) expect(fake.sendsByKey.get(id)).toBe(1);
  }, 60_000);

  it("a provider that accepts the connection and never answers holds no worker: other mail flows, the hanging sends time out after 10 s and are retried", async () => {
    // as many hanging recipients as the worker has slots, queued first so they take every slot
    const hanging = [1, 2, 3, 4].map((i) => `hang${i}@example.com`);
    const stuck = await Promise.all(hanging.map((to) => enqueueEmail(t.db, { to, template: "sign-in", props })));
    const others = await Promise.all(Array.from({ length: 20 }, (_, i) => enqueueEmail(t.db, { to: `flow${i}@example.com`, template: "sign-in", props })));
    fake.hang(hanging);
    const worker = await startWorker({ connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 });
    const started = Date.now();
    try {
      expect(await waitUntil(async () => fake.hanging === 4, 10_000)).toBe(true);
      const flowed = await waitUntil(async () => {
        const rows = await t.db.select({ status: emailMessages.status }).from(emailMessages).where(inArray(emailMessages.id, others));
        return rows.every((r) => r.status === "sent");
      }, 25_000);
      const flowedAfter = Date.now() - started;
      expect(flowed).toBe(true);
      const rows = await t.db.select().from(emailMessages).where(inArray(emailMessages.id, stuck));
      for (const r of rows) {
        expect(r).toMatchObject({ status: "queued", attempts: 1, transport: "resend" });
        expect(r.lastError).toBe("Resend did not answer within 10 s.");
        // a sign-in link's next attempt comes 10 s later
        expect((r.nextAttemptAt?.getTime() ?? 0) - Date.now()).toBeLessThan(11_000);
      }
      console.log(`[hang] 4 sends hanging on 4 worker slots; the other 20 sent ${flowedAfter} ms after the worker started`);
      // the provider answers again: the retries (same idempotency keys) go through
      fake.hang([]);
      expect(
        await waitUntil(async () => {
          const done = await t.db.select({ status: emailMessages.status }).from(emailMessages).where(inArray(emailMessages.id, stuck));
          return done.every((r) => r.status === "sent");
        }, 20_000),
      ).toBe(true);
      for (const id of stuck) expect(fake.accepted.has(id)).toBe(true);
    } finally {
      fake.hang([]);
      await worker.stop();
    }
  }, 90_000);

  it("two workers on one database deliver a batch: each message once", async () => {
    const ids = await enqueueEmails(
      t.db,
      Array.from({ length: 200 }, (_, i) => ({ to: `pair${i}@example.com`, template: "sign-in" as const, props })),
    );
    const opts = { connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 };
    fake.delay(5);
    const [a, b] = await Promise.all([startWorker(opts), startWorker(opts)]);
    try {
      expect(
        await waitUntil(async () => {
          const rows = await t.db.select({ status: emailMessages.status }).from(emailMessages).where(inArray(emailMessages.id, ids));
          return rows.every((r) => r.status === "sent");
        }, 60_000),
      ).toBe(true);
    } finally {
      fake.delay(0);
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const id of ids) expect(fake.sendsByKey.get(id)).toBe(1);
    const delivered = fake.deliveries.filter((d) => d.to.startsWith("pair"));
    expect(delivered).toHaveLength(200);
    expect(new Set(delivered.map((d) => d.to)).size).toBe(200);
    const rows = await t.db.select({ attempts: emailMessages.attempts }).from(emailMessages).where(inArray(emailMessages.id, ids));
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  }, 90_000);
});
