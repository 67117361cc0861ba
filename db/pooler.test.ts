import { eq, sql as drizzleSql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { startWorker } from "@/lib/jobs/start-worker";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { outboxTransport } from "@/lib/mail/transport";
import { isolatedDatabase } from "@/tests/database";
import { PGBOUNCER, startPgBouncer } from "@/tests/pgbouncer";
import { createDb } from "./connect";

/**
 * DATABASE_POOLER=transaction: Portico's queries and its job queue through PgBouncer in transaction
 * mode. With prepared statements (the default), postgres.js hangs there: a statement prepared on one
 * server connection is executed on another. e2e/pgbouncer.spec.ts runs two whole instances so.
 */
process.env.DATABASE_POOLER = "transaction";
const t = await isolatedDatabase();
const bouncer = PGBOUNCER ? await startPgBouncer(t.url, { poolSize: 3 }) : undefined;
if (!bouncer) console.log("SKIPPED pooler tests: no pgbouncer binary (Debian: apt-get install pgbouncer; .ci/run installs it).");
afterAll(async () => {
  await bouncer?.stop();
});

describe.skipIf(!bouncer)("behind PgBouncer in transaction mode", () => {
  it("200 queries and 50 transactions at once on 3 server connections, with transaction-scoped locks and settings", async () => {
    const { db, sql } = createDb(bouncer?.url ?? "", { max: 20 });
    try {
      const queries = await Promise.all(Array.from({ length: 200 }, (_, i) => sql<{ n: number }[]>`select ${i}::int as n from products where name <> ${String(i)} limit 1`.then(() => i)));
      expect(queries).toHaveLength(200);
      const transactions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.execute(drizzleSql`select pg_advisory_xact_lock(hashtext(${`pooler:${i % 5}`}))`);
            await tx.execute(drizzleSql`set local max_parallel_workers_per_gather = 0`);
            const [row] = await tx.execute<{ setting: string }>(drizzleSql`select current_setting('max_parallel_workers_per_gather') as setting`);
            return row?.setting;
          }),
        ),
      );
      expect(new Set(transactions)).toEqual(new Set(["0"]));
      expect(await bouncer?.transactions()).toBeGreaterThan(250);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it("the job worker (no prepared statements, polling) sends queued mail", async () => {
    const worker = await startWorker({ connectionString: bouncer?.url ?? "", transport: outboxTransport, from: "Portico <p@example.com>", baseUrl: "http://portal.test", pollInterval: 200 });
    try {
      const ids = await t.db.transaction((tx) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            enqueueEmail(tx, { to: `pooled-${i}@example.com`, template: "sign-in", props: { url: `http://portal.test/x?token=${i}`, host: "portal.test", expiresInMinutes: 10 } }),
          ),
        ),
      );
      const deadline = Date.now() + 20_000;
      let sent = 0;
      while (Date.now() < deadline) {
        sent = 0;
        for (const id of ids) {
          const [m] = await t.db.select({ status: emailMessages.status }).from(emailMessages).where(eq(emailMessages.id, id));
          if (m?.status === "sent") sent++;
        }
        if (sent === ids.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(sent).toBe(ids.length);
    } finally {
      await worker.stop();
    }
  });
});
