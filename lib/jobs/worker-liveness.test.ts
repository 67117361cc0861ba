import { type ChildProcess, spawn } from "node:child_process";
import { eq, inArray, sql } from "drizzle-orm";
import { Pool } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { emailMessages, jobWorkers } from "@/db/schema";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { resendTransport } from "@/lib/mail/transport";
import { isolatedDatabase } from "@/tests/database";
import { startFakeResend } from "@/tests/fake-resend";
import { startWorker } from "./start-worker";
import { DEFAULT_LIVENESS, forgetWorkers, releaseGoneWorkers, watchWorkers } from "./worker-liveness";

const t = await isolatedDatabase();
const fake = await startFakeResend();
process.env.RESEND_BASE_URL = fake.url;
const pg = new Pool({ connectionString: t.url, max: 2 });
afterAll(async () => {
  await pg.end();
  await fake.close();
});

const props = { url: "http://localhost:3000/api/auth/callback/email?token=t", host: "localhost:3000", expiresInMinutes: 10 };

async function waitUntil(check: () => Promise<boolean> | boolean, ms: number, every = 200) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return false;
}

/** A job with a key, locked by `poolId` as graphile-worker would while running it. */
async function lockedJob(key: string, poolId: string) {
  await t.db.execute(sql`select graphile_worker.add_job('noop', '{}'::json, job_key := ${key})`);
  await t.db.execute(sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = ${poolId} where key = ${key}`);
}
const lockOf = async (key: string) =>
  (await t.db.execute<{ locked_by: string | null }>(sql`select locked_by from graphile_worker._private_jobs where key = ${key}`))[0]?.locked_by;

describe("releasing the job locks of gone workers", () => {
  it("releases a registered pool whose heartbeat is stale and forgets it; never a beating pool's or an unregistered one's", async () => {
    await t.db.insert(jobWorkers).values([
      { id: "pool-gone", process: "h:1", heartbeatAt: sql`now() - interval '31 seconds'` },
      { id: "pool-alive", process: "h:2", heartbeatAt: sql`now() - interval '20 seconds'` },
    ]);
    await lockedJob("gone-job", "pool-gone");
    await lockedJob("alive-job", "pool-alive");
    await lockedJob("unknown-job", "pool-not-registered");

    expect(await releaseGoneWorkers(pg, DEFAULT_LIVENESS.staleMs)).toEqual(["pool-gone"]);
    expect(await lockOf("gone-job")).toBeNull();
    expect(await lockOf("alive-job")).toBe("pool-alive");
    expect(await lockOf("unknown-job")).toBe("pool-not-registered");
    expect((await t.db.select().from(jobWorkers)).map((w) => w.id)).toEqual(["pool-alive"]);
    // two instances sweeping at once: one of them releases, neither fails
    await t.db.update(jobWorkers).set({ heartbeatAt: sql`now() - interval '1 minute'` }).where(eq(jobWorkers.id, "pool-alive"));
    const both = await Promise.all([releaseGoneWorkers(pg, DEFAULT_LIVENESS.staleMs), releaseGoneWorkers(pg, DEFAULT_LIVENESS.staleMs)]);
    expect(both.flat()).toEqual(["pool-alive"]);
    expect(await lockOf("alive-job")).toBeNull();
    await t.db.execute(sql`delete from graphile_worker._private_jobs where key in ('gone-job', 'alive-job', 'unknown-job')`);
  });

  it("a live worker's jobs stay locked while another worker sweeps, however long its send takes", async () => {
    const fast = { heartbeatMs: 100, staleMs: 600, sweepMs: 100 };
    const opts = { connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200, liveness: fast };
    const a = await startWorker(opts);
    let b: Awaited<ReturnType<typeof startWorker>> | null = null;
    fake.delay(2500);
    try {
      const [id] = await enqueueEmails(t.db, [{ to: "slow@example.com", template: "sign-in", props }]);
      expect(await waitUntil(() => fake.sendsByKey.has(id ?? ""), 10_000, 50)).toBe(true);
      const holder = await lockOf(`email:${id}`);
      expect(holder).toMatch(/^pool-/);
      b = await startWorker(opts);
      // four times the stale threshold with B sweeping every 100 ms: A's lock is A's throughout
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const lock = await lockOf(`email:${id}`);
        if (lock === undefined) break; // done and deleted
        expect(lock).toBe(holder);
      }
      expect(await waitUntil(async () => (await t.db.select().from(emailMessages).where(inArray(emailMessages.id, [id ?? ""])))[0]?.status === "sent", 10_000)).toBe(true);
      expect(fake.sendsByKey.get(id ?? "")).toBe(1);
    } finally {
      fake.delay(0);
      await b?.stop();
      await a.stop();
    }
    // stopped workers leave the registry
    expect(await t.db.select().from(jobWorkers)).toEqual([]);
  }, 60_000);
});

describe("stopping", () => {
  it("waits for a beat under way, so pools forgotten after the stop stay forgotten", async () => {
    // Every heartbeat takes 300 ms to reach the database (a busy machine: CI saw this happen).
    const slow = {
      query: async (text: string, params: unknown[]) => {
        await new Promise((r) => setTimeout(r, 300));
        return pg.query(text, params);
      },
    } as unknown as Pool;
    const watcher = watchWorkers(slow, () => ["pool-stopping"], { heartbeatMs: 60_000, staleMs: 600_000, sweepMs: 60_000 });
    void watcher.beat();
    await watcher.stop();
    await forgetWorkers(pg, ["pool-stopping"]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.db.select().from(jobWorkers).where(eq(jobWorkers.id, "pool-stopping"))).toEqual([]);
  });
});

describe("after a database outage longer than the staleness (every heartbeat is old, live pools included)", () => {
  it("a sweeper whose own pools could not beat either releases no one: the others' old beats are the outage's, not their death", async () => {
    await t.db.insert(jobWorkers).values([
      { id: "pool-me", process: "h:1", heartbeatAt: sql`now() - interval '45 seconds'` },
      { id: "pool-peer", process: "h:2", heartbeatAt: sql`now() - interval '45 seconds'` },
    ]);
    await lockedJob("peer-job", "pool-peer");
    expect(await releaseGoneWorkers(pg, DEFAULT_LIVENESS.staleMs, ["pool-me"])).toEqual([]);
    expect(await lockOf("peer-job")).toBe("pool-peer");
    // once the sweeper beats again, a peer that still does not beat is gone
    await t.db.update(jobWorkers).set({ heartbeatAt: sql`now()` }).where(eq(jobWorkers.id, "pool-me"));
    expect(await releaseGoneWorkers(pg, DEFAULT_LIVENESS.staleMs, ["pool-me"])).toEqual(["pool-peer"]);
    expect(await lockOf("peer-job")).toBeNull();
    await t.db.execute(sql`delete from graphile_worker._private_jobs where key = 'peer-job'`);
    await t.db.delete(jobWorkers).where(inArray(jobWorkers.id, ["pool-me", "pool-peer"]));
  });

  it("a sweeper whose heartbeat was late waits the staleness before it judges others, so their beats after the outage come first", async () => {
    const fast = { heartbeatMs: 100, staleMs: 600, sweepMs: 100 };
    await t.db.insert(jobWorkers).values([
      { id: "pool-me2", process: "h:1" },
      { id: "pool-peer2", process: "h:2" },
    ]);
    await lockedJob("peer2-job", "pool-peer2");
    const watcher = watchWorkers(pg, () => ["pool-me2"], fast);
    // Our heartbeat writes stall (a row lock; as with the database away) for longer than the staleness;
    // the peer's did not get through either.
    const holder = await pg.connect();
    try {
      await holder.query("begin");
      await holder.query("select 1 from job_workers where id = 'pool-me2' for update");
      await holder.query("update job_workers set heartbeat_at = now() - interval '1 second' where id = 'pool-peer2'");
      await new Promise((r) => setTimeout(r, 900));
      await holder.query("commit");
    } finally {
      holder.release();
    }
    // our late beats go through now; the peer's next beat comes 250 ms later
    await new Promise((r) => setTimeout(r, 250));
    const peerBeat = () => t.db.update(jobWorkers).set({ heartbeatAt: sql`now()` }).where(eq(jobWorkers.id, "pool-peer2"));
    await peerBeat();
    // (drizzle runs a query only when it is awaited or then'd)
    const peerBeats = setInterval(() => void peerBeat().then(() => undefined), 100);
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(peerBeats);
    await watcher.stop();
    expect(await lockOf("peer2-job")).toBe("pool-peer2");
    await t.db.execute(sql`delete from graphile_worker._private_jobs where key = 'peer2-job'`);
    await t.db.delete(jobWorkers).where(inArray(jobWorkers.id, ["pool-me2", "pool-peer2"]));
  });
});

function startWorkerProcess(): ChildProcess {
  return spawn("npx", ["tsx", "scripts/worker.ts"], {
    env: { ...process.env, DATABASE_URL: t.url, RESEND_API_KEY: "re_test", RESEND_BASE_URL: fake.url },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
}
const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (running(child) ? child.once("exit", () => resolve()) : resolve()));

describe("a worker SIGKILLed mid-delivery (the real worker script, default heartbeat and staleness)", () => {
  it("1,000 emails: all delivered, each once, none waiting more than a minute after the restart", async () => {
    const N = 1000;
    const ids = await enqueueEmails(
      t.db,
      Array.from({ length: N }, (_, i) => ({ to: `bulk${i}@example.com`, template: "sign-in" as const, props })),
    );
    const mine = inArray(emailMessages.id, ids);
    // Long enough answers that several messages are in flight, taken by the provider but not yet
    // recorded as sent, when the worker dies.
    fake.delay(40);
    const first = startWorkerProcess();
    let second: ChildProcess | null = null;
    try {
      const before = fake.deliveries.length;
      expect(await waitUntil(() => fake.deliveries.length - before >= 300, 60_000, 20)).toBe(true);
      if (first.pid) process.kill(-first.pid, "SIGKILL");
      await exited(first);
      const killedAt = Date.now();
      const [atKill] = await t.db
        .select({ sent: sql<number>`count(*) filter (where status = 'sent')::int`, sending: sql<number>`count(*) filter (where status = 'sending')::int` })
        .from(emailMessages)
        .where(mine);
      const locked = await t.db.execute<{ n: number }>(
        sql`select count(*)::int as n from graphile_worker._private_jobs where key like 'email:%' and locked_by is not null`,
      );
      expect(locked[0]?.n).toBeGreaterThan(0);

      const restartedAt = Date.now();
      second = startWorkerProcess();
      const allSent = await waitUntil(
        async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(emailMessages).where(sql`${mine} and status = 'sent'`))[0]?.n === N,
        80_000,
        500,
      );
      const rows = await t.db.select({ to: emailMessages.to, status: emailMessages.status, sentAt: emailMessages.sentAt }).from(emailMessages).where(mine);
      const afterRestart = rows.filter((r) => r.sentAt && r.sentAt.getTime() >= restartedAt);
      const maxWait = Math.max(0, ...afterRestart.map((r) => (r.sentAt?.getTime() ?? 0) - restartedAt));
      const bulk = fake.deliveries.filter((d) => d.to.startsWith("bulk"));
      const perRecipient = new Map<string, number>();
      for (const d of bulk) perRecipient.set(d.to, (perRecipient.get(d.to) ?? 0) + 1);
      const duplicates = [...perRecipient.values()].filter((n) => n > 1).length;
      console.log(
        `[sigkill] ${N} emails; killed with ${atKill?.sent} sent, ${atKill?.sending} in flight, ${locked[0]?.n} jobs locked by the dead worker; ` +
          `restart ${restartedAt - killedAt} ms after the kill; after it: ${rows.filter((r) => r.status === "sent").length} sent, ` +
          `${afterRestart.length} of them after the restart, the last ${maxWait} ms after it; provider: ${bulk.length} delivered, ` +
          `${duplicates} duplicates, ${fake.replays} resends answered from the idempotency record`,
      );
      expect(allSent).toBe(true);
      expect(bulk.length).toBe(N);
      expect(perRecipient.size).toBe(N);
      expect(duplicates).toBe(0);
      expect(maxWait).toBeLessThan(60_000);
    } finally {
      fake.delay(0);
      if (running(first) && first.pid) process.kill(-first.pid, "SIGKILL");
      if (second?.pid && running(second)) {
        process.kill(-second.pid, "SIGTERM");
        await Promise.race([exited(second), new Promise((r) => setTimeout(r, 10_000))]);
        if (running(second)) process.kill(-second.pid, "SIGKILL");
      }
    }
  }, 150_000);
});
