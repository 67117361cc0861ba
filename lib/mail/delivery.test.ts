import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { startWorker } from "@/lib/jobs/start-worker";
import { isolatedDatabase } from "@/tests/database";
import { startFakeResend } from "@/tests/fake-resend";
import { deliverEmail } from "./deliver-email";
import { unseal } from "./sealed";
import { enqueueEmail } from "./enqueue-email";
import { outboxTransport, resendTransport } from "./transport";
import { templateNames } from "@/emails";
import { userActor } from "@/lib/auth/permissions";
import { catalogueFixture } from "@/tests/fixtures";
import { retryMessage } from "./email-admin";
import { LEASE_SECONDS } from "./deliver-email";
import { RETRY_SCHEDULES, USEFUL_LIFE, expiredReason, nextDelay, retrySchedule } from "./useful-life";

const t = await isolatedDatabase();
const fake = await startFakeResend();
process.env.RESEND_BASE_URL = fake.url;
afterAll(() => fake.close());

const props = { url: "http://localhost:3000/api/auth/callback/email?token=abc", host: "localhost:3000", expiresInMinutes: 10 };
const newRequestProps = { requesterName: "R", appName: "App", planName: "Plan", productNames: ["X"], reason: "r", approvalsRequired: 1, url: "http://x/r" };
const jobsFor = (id: string) =>
  t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where key = ${`email:${id}`}`);

describe("enqueueEmail", () => {
  it("writes the message and its job only when the caller's transaction commits", async () => {
    let rolledBackId = "";
    await t.db
      .transaction(async (tx) => {
        rolledBackId = await enqueueEmail(tx, { to: "a@example.com", template: "sign-in", props });
        throw new Error("rollback");
      })
      .catch(() => {});
    expect(await t.db.select().from(emailMessages).where(eq(emailMessages.id, rolledBackId))).toEqual([]);
    expect((await jobsFor(rolledBackId))[0]?.n).toBe(0);

    const id = await t.db.transaction((tx) => enqueueEmail(tx, { to: "b@example.com", template: "sign-in", props }));
    const [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
    expect(row).toMatchObject({ to: "b@example.com", status: "queued", subject: "Sign in to Portico", attempts: 0 });
    expect((await jobsFor(id))[0]?.n).toBe(1);
  });
});

const row = async (id: string) => (await t.db.select().from(emailMessages).where(eq(emailMessages.id, id)))[0];
/** The next attempt's time has come (instead of waiting for it). */
const due = (id: string) => t.db.update(emailMessages).set({ nextAttemptAt: sql`now()` }).where(eq(emailMessages.id, id));

describe("deliverEmail through the real Resend SDK", () => {
  it("records failed attempts and schedules the next one itself, then sends once and forgets the body", async () => {
    const transport = resendTransport("re_test_key");
    const id = await enqueueEmail(t.db, { to: "c@example.com", template: "sign-in", props });
    fake.failNext(2);
    for (let i = 1; i <= 2; i++) {
      expect(await deliverEmail(t.db, id, transport, { from: "Portico <p@example.com>" })).toBe("retrying");
      const r = await row(id);
      expect(r).toMatchObject({ status: "queued", attempts: i, leaseUntil: null });
      expect(r?.lastError).toMatch(/provider down/);
      // sign-in mail retries soon: 10 s, then 30 s (lib/mail/useful-life.ts)
      const wait = (r?.nextAttemptAt?.getTime() ?? 0) - Date.now();
      expect(wait).toBeGreaterThan((i === 1 ? 10 : 30) * 1000 - 3000);
      expect(wait).toBeLessThan((i === 1 ? 10 : 30) * 1000 + 3000);
      // its job waits for that time
      const [job] = await t.db.execute<{ run_at: string }>(sql`select run_at from graphile_worker.jobs where key = ${`email:${id}`}`);
      expect(Math.abs(new Date(job?.run_at ?? 0).getTime() - (r?.nextAttemptAt?.getTime() ?? 0))).toBeLessThan(1000);
      // not due yet: nothing is sent
      const before = fake.received;
      expect(await deliverEmail(t.db, id, transport, { from: "p@example.com" })).toBe("skipped");
      expect(fake.received).toBe(before);
      await due(id);
    }
    expect(await deliverEmail(t.db, id, transport, { from: "Portico <p@example.com>" })).toBe("sent");
    expect(await row(id)).toMatchObject({ status: "sent", attempts: 3, transport: "resend", providerId: `re_${id}`, lastError: null, html: null, props: {} });
    expect(fake.accepted.get(id)?.html).toContain("token=abc");

    // A retried job after success is a no-op: the provider is not called again.
    const before = fake.requests;
    expect(await deliverEmail(t.db, id, transport, { from: "p@example.com" })).toBe("already-sent");
    expect(fake.requests).toBe(before);
  });

  it("marks the message failed when its schedule is over", async () => {
    const id = await enqueueEmail(t.db, { to: "d@example.com", template: "new-request", props: newRequestProps });
    fake.failNext(1);
    expect(await deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com", schedule: { delays: [], repeatLast: false } })).toBe("failed");
    expect(await row(id)).toMatchObject({ status: "failed", nextAttemptAt: null });
  });

  it("does not send a message past its useful life: it is expired, and says why", async () => {
    const id = await enqueueEmail(t.db, { to: "late@example.com", template: "sign-in", props });
    expect((await row(id))?.usefulUntil?.getTime()).toBeCloseTo(Date.now() + 10 * 60_000, -4);
    await t.db.update(emailMessages).set({ usefulUntil: sql`now() - interval '1 second'` }).where(eq(emailMessages.id, id));
    const before = fake.received;
    expect(await deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com" })).toBe("expired");
    expect(fake.received).toBe(before);
    expect(await row(id)).toMatchObject({ status: "expired", attempts: 0 });
    expect(expiredReason("sign-in")).toBe("Not sent: its sign-in link had expired. The person can ask for a new one on the sign-in page.");
  });

  it("is not handed to the provider when its useful life ends before the provider's answer could come (10 s): a sign-in link would arrive expired", async () => {
    const id = await enqueueEmail(t.db, { to: "last-second@example.com", template: "sign-in", props, usefulUntil: new Date(Date.now() + 5000) });
    const before = fake.received;
    expect(await deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com" })).toBe("expired");
    expect(fake.received).toBe(before);
    expect(await row(id)).toMatchObject({ status: "expired", attempts: 0 });
  });

  it("expires a failing message at once when its next attempt would come after its useful life", async () => {
    const id = await enqueueEmail(t.db, { to: "soon@example.com", template: "sign-in", props, usefulUntil: new Date(Date.now() + 15_000) });
    fake.failNext(1);
    expect(await deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com" })).toBe("expired");
    const r = await row(id);
    expect(r).toMatchObject({ status: "expired", attempts: 1, nextAttemptAt: null });
    expect(r?.lastError).toMatch(/provider down/);
  });

  it("an attempt in flight is not sent again by a second job; the second looks again when its lease ends", async () => {
    const id = await enqueueEmail(t.db, { to: "leased@example.com", template: "sign-in", props });
    fake.delay(1500);
    try {
      const first = deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com" });
      await new Promise((r) => setTimeout(r, 500));
      expect(await deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com" })).toBe("busy");
      expect(await first).toBe("sent");
    } finally {
      fake.delay(0);
    }
    expect(fake.sendsByKey.get(id)).toBe(1);
    const [job] = await t.db.execute<{ run_at: string }>(sql`select run_at from graphile_worker.jobs where key = ${`email:${id}`}`);
    expect(new Date(job?.run_at ?? 0).getTime()).toBeGreaterThan(Date.now() + (LEASE_SECONDS - 5) * 1000);
  });
});

describe("an admin's Retry", () => {
  it("puts a failed message back on the queue now; refuses an expired one, saying why", async () => {
    const admin = userActor(await (await catalogueFixture(t.db)).user("admin"));
    const [failed] = await t.db.insert(emailMessages).values({ to: "f@example.com", template: "sign-in", status: "failed", attempts: 6, lastError: "boom" }).returning();
    await retryMessage(t.db, admin, { messageId: failed?.id ?? "" });
    const r = await row(failed?.id ?? "");
    expect(r).toMatchObject({ status: "queued", lastError: null });
    expect(Math.abs((r?.nextAttemptAt?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
    expect((await jobsFor(failed?.id ?? ""))[0]?.n).toBe(1);

    const [expired] = await t.db.insert(emailMessages).values({ to: "x@example.com", template: "sign-in", status: "expired" }).returning();
    await expect(retryMessage(t.db, admin, { messageId: expired?.id ?? "" })).rejects.toThrow(
      "Not sent: its sign-in link had expired. The person can ask for a new one on the sign-in page. It will not be sent.",
    );
    expect((await row(expired?.id ?? ""))?.status).toBe("expired");
  });
});

describe("an admin's Retry past the message's useful life", () => {
  it("a failed sign-in email whose link has expired is not put back on the queue: the admin is told why, nothing is recorded as retried", async () => {
    const admin = userActor(await (await catalogueFixture(t.db)).user("admin"));
    const [failed] = await t.db
      .insert(emailMessages)
      .values({ to: "old@example.com", template: "sign-in", status: "failed", attempts: 6, lastError: "boom", usefulUntil: sql`now() - interval '1 minute'` })
      .returning();
    const id = failed?.id ?? "";
    await expect(retryMessage(t.db, admin, { messageId: id })).rejects.toThrow(
      "Not sent: its sign-in link had expired. The person can ask for a new one on the sign-in page. It will not be sent.",
    );
    expect(await row(id)).toMatchObject({ status: "failed" });
    expect((await jobsFor(id))[0]?.n).toBe(0);
  });
});

describe("retry schedules and useful lives", () => {
  it("short-lived mail retries after 10 s, 30 s, 1 min, 2 min, 4 min, then every 4 min; the rest backs off to 8 h, then fails", () => {
    const short = RETRY_SCHEDULES.short;
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => nextDelay(short, n))).toEqual([10_000, 30_000, 60_000, 120_000, 240_000, 240_000, 240_000]);
    const long = RETRY_SCHEDULES.long;
    expect(nextDelay(long, 12)).toBe(8 * 3_600_000);
    expect(nextDelay(long, 13)).toBeNull();
    // the whole long schedule stays inside the provider's 24-hour idempotency window
    expect(long.delays.reduce((a, b) => a + b, 0)).toBeLessThan(24 * 3_600_000);
    expect(retrySchedule("sign-in")).toBe(short);
    expect(retrySchedule("approved")).toBe(long);
  });

  it("every template has a useful life; a claim link's email lives as long as its link", async () => {
    for (const name of templateNames) expect(USEFUL_LIFE[name].lifeMs).toBeGreaterThan(0);
    const until = new Date(Date.now() + 5 * 3_600_000);
    const id = await enqueueEmail(t.db, {
      to: "claim@example.com",
      template: "approved",
      props: { requesterName: "C", appName: "A", planName: "P", productNames: ["X"], requestUrl: "http://x/r", claimUrl: "http://x/c", availableFrom: null },
      usefulUntil: until,
    });
    expect((await row(id))?.usefulUntil?.getTime()).toBe(until.getTime());
  });
});

describe("the job worker", () => {
  it("delivers queued messages to the local outbox", async () => {
    const worker = await startWorker({ connectionString: t.url, transport: outboxTransport, from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 });
    try {
      const id = await enqueueEmail(t.db, { to: "e@example.com", template: "sign-in", props });
      let row: typeof emailMessages.$inferSelect | undefined;
      for (let i = 0; i < 100; i++) {
        [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
        // graphile-worker deletes the job just after the task returns: wait for both.
        if (row?.status === "sent" && (await jobsFor(id))[0]?.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(row).toMatchObject({ status: "sent", transport: "outbox", attempts: 1 });
      // The outbox keeps the body for the dev mailbox, sealed because it holds a sign-in link.
      expect(row?.html).toMatch(/^sealed:/);
      expect(row?.html).not.toContain("token=abc");
      expect(await unseal(row?.html)).toContain("token=abc");
      expect((await jobsFor(id))[0]?.n).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});
