import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { oauthJtis } from "@/db/schema";
import { PURGE_OAUTH_JTIS_TASK, startWorker } from "@/lib/jobs/start-worker";
import { resendTransport } from "@/lib/mail/transport";
import { isolatedDatabase } from "@/tests/database";
import { purgeUsedJtis } from "./purge-used-jtis";

const t = await isolatedDatabase();
const ago = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

async function remaining() {
  return (await t.db.select({ jti: oauthJtis.jti }).from(oauthJtis)).map((r) => r.jti).sort();
}

describe("purgeUsedJtis", () => {
  it("deletes assertions and revoked tokens past their expiry, and keeps those that still guard a replay", async () => {
    await t.db.insert(oauthJtis).values([
      { kind: "assertion", clientId: "pcl_a", jti: "assertion-expired", expiresAt: ago(120) },
      { kind: "assertion", clientId: "pcl_a", jti: "assertion-live", expiresAt: ago(-300) },
      { kind: "revoked_token", clientId: "pcl_a", jti: "revoked-expired", expiresAt: ago(3600) },
      { kind: "revoked_token", clientId: "pcl_a", jti: "revoked-live", expiresAt: ago(-600) },
      // Within the minute's margin for the app's clock: kept until the next run.
      { kind: "revoked_token", clientId: "pcl_b", jti: "revoked-just-expired", expiresAt: ago(10) },
    ]);
    expect(await purgeUsedJtis(t.db)).toBe(2);
    expect(await remaining()).toEqual(["assertion-live", "revoked-just-expired", "revoked-live"]);
    await t.db.delete(oauthJtis).where(sql`true`);
  });

  it("runs as a scheduled worker task", async () => {
    await t.db.insert(oauthJtis).values([
      { kind: "assertion", clientId: "pcl_c", jti: "old", expiresAt: ago(900) },
      { kind: "assertion", clientId: "pcl_c", jti: "new", expiresAt: ago(-300) },
    ]);
    const worker = await startWorker({ connectionString: t.url, transport: resendTransport("re_test"), from: "p@example.com", baseUrl: "http://portal.test", pollInterval: 200 });
    try {
      // On the crontab (graphile-worker records each cron identifier it runs)…
      const known = await t.sql<{ identifier: string }[]>`select identifier from graphile_worker._private_known_crontabs`;
      expect(known.map((k) => k.identifier)).toContain(PURGE_OAUTH_JTIS_TASK);
      // …and the task the crontab names does the purge.
      await worker.runner.addJob(PURGE_OAUTH_JTIS_TASK, {});
      await expect.poll(remaining, { timeout: 10_000 }).toEqual(["new"]);
    } finally {
      await worker.stop();
    }
  });
});
