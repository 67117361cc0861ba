import { spawn } from "node:child_process";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { startWorker } from "@/lib/jobs/start-worker";
import { isolatedDatabase } from "@/tests/database";
import { startFakeResend } from "@/tests/fake-resend";
import { enqueueEmail } from "./enqueue-email";
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
    const worker = await startWorker({ connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 });
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

  it("a worker killed mid-send loses nothing: the job runs again and the provider deduplicates", async () => {
    const id = await enqueueEmail(t.db, { to: "killed@example.com", template: "sign-in", props });
    fake.delay(3000);
    const before = fake.received;
    const child = spawn("npx", ["tsx", "scripts/worker.ts"], {
      env: { ...process.env, DATABASE_URL: t.url, RESEND_API_KEY: "re_test", RESEND_BASE_URL: fake.url },
      stdio: "ignore",
      detached: true,
    });
    try {
      expect(await waitUntil(async () => fake.received > before, 30_000)).toBe(true);
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }
    const [mid] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
    expect(mid?.status).toBe("sending");

    // graphile-worker frees a dead worker's lock after 4 hours (its resetLockedAt); do that reset now
    // instead of waiting.
    await t.db.execute(sql`update graphile_worker._private_jobs set locked_at = null, locked_by = null where key = ${`email:${id}`}`);
    fake.delay(0);
    const worker = await startWorker({ connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 });
    try {
      const sent = await waitUntil(async () => {
        const [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
        return row?.status === "sent";
      }, 30_000);
      expect(sent).toBe(true);
    } finally {
      await worker.stop();
    }
    // Sent twice with the same idempotency key (at-least-once); the provider kept one message.
    expect(fake.sendsByKey.get(id)).toBe(2);
    expect([...fake.accepted.keys()].filter((k) => k === id)).toHaveLength(1);
    const [row] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, id));
    expect(row?.attempts).toBe(2);
  }, 90_000);
});
