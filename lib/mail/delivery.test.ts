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

const t = await isolatedDatabase();
const fake = await startFakeResend();
process.env.RESEND_BASE_URL = fake.url;
afterAll(() => fake.close());

const props = { url: "http://localhost:3000/api/auth/callback/email?token=abc", host: "localhost:3000", expiresInMinutes: 10 };
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
    expect(row).toMatchObject({ to: "b@example.com", status: "queued", subject: "Sign in to localhost:3000", attempts: 0 });
    expect((await jobsFor(id))[0]?.n).toBe(1);
  });
});

describe("deliverEmail through the real Resend SDK", () => {
  it("records failed attempts, then sends once and forgets the body", async () => {
    const transport = resendTransport("re_test_key");
    const id = await enqueueEmail(t.db, { to: "c@example.com", template: "sign-in", props });
    fake.failNext(2);
    for (let i = 1; i <= 2; i++) {
      await expect(deliverEmail(t.db, id, transport, { from: "Portico <p@example.com>" })).rejects.toThrow(/provider down/);
      const [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
      expect(row).toMatchObject({ status: "queued", attempts: i });
      expect(row?.lastError).toMatch(/provider down/);
    }
    expect(await deliverEmail(t.db, id, transport, { from: "Portico <p@example.com>" })).toBe("sent");
    const [sent] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
    expect(sent).toMatchObject({ status: "sent", attempts: 3, transport: "resend", providerId: `re_${id}`, lastError: null, html: null, props: {} });
    expect(fake.accepted.get(id)?.html).toContain("token=abc");

    // A retried job after success is a no-op: the provider is not called again.
    const before = fake.requests;
    expect(await deliverEmail(t.db, id, transport, { from: "p@example.com" })).toBe("already-sent");
    expect(fake.requests).toBe(before);
  });

  it("marks the message failed on the last attempt", async () => {
    const id = await enqueueEmail(t.db, { to: "d@example.com", template: "sign-in", props });
    fake.failNext(1);
    await expect(deliverEmail(t.db, id, resendTransport("re_x"), { from: "p@example.com", finalAttempt: true })).rejects.toThrow();
    const [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
    expect(row?.status).toBe("failed");
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
