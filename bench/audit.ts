/**
 * The audit log at 1,000,000 events: page query times (default and filtered views) and the CSV
 * export of every row over HTTP, with the server's peak memory (VmHWM) before and after.
 */
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { users } from "../db/schema";
import { listAudit } from "../lib/audit/queries";

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

async function time(fn: () => Promise<unknown>, runs = 20) {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return `p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms`;
}

/** Peak resident memory of the Next server processes, from /proc. */
function serverPeakKb() {
  const pids = execSync("pgrep -f 'next-server|next start' || true").toString().trim().split("\n").filter(Boolean);
  let peak = 0;
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m?.[1]) peak = Math.max(peak, Number(m[1]));
    } catch {
      // gone
    }
  }
  return peak;
}

export async function benchAudit(databaseUrl: string, base: string) {
  const conn = createDb(databaseUrl, { max: 2 });
  const [{ n } = { n: 0 }] = await conn.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
  if (n < 1_000_000) {
    const t0 = performance.now();
    await conn.sql`insert into audit_events (actor_type, action, subject_type, subject_id, comment, ip, created_at)
      select 'system', (array['request.submitted','request.approved','key.created','key.revoked'])[1 + i % 4],
        (array['request','key'])[1 + i % 2], 'subject-' || (i % 50000),
        case when i % 1000 = 0 then 'needle ' || i end, '203.0.113.' || (i % 250),
        now() - make_interval(secs => i)
      from generate_series(1, ${1_000_000 - n}) as i`;
    await conn.sql`analyze audit_events`;
    console.log(`\n▸ Seeded ${(1_000_000 - n).toLocaleString("en")} audit events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log("\nAudit log at 1,000,000+ events (SQL as the page runs it, 20 runs each)");
  console.log(`default view (newest 50):         ${await time(() => listAudit(conn.db, {}))}`);
  const first = await listAudit(conn.db, {});
  console.log(`next page (keyset):               ${await time(() => listAudit(conn.db, { before: first.nextBefore }))}`);
  console.log(`action = key.revoked:             ${await time(() => listAudit(conn.db, { action: "key.revoked" }))}`);
  console.log(`one object's timeline:            ${await time(() => listAudit(conn.db, { subjectType: "key", subjectId: "subject-4243" }))}`);
  console.log(`search "needle 99" (rare, trigram): ${await time(() => listAudit(conn.db, { q: "needle 99" }))}`);
  console.log(`search "revoked" (1 in 4 rows):    ${await time(() => listAudit(conn.db, { q: "revoked" }))}`);

  // The CSV export of every row, over HTTP as an admin.
  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  const token = randomBytes(24).toString("hex");
  await conn.sql`insert into sessions (session_token, user_id, expires) values (${token}, ${admin?.id ?? ""}, now() + interval '1 hour')`;
  const before = serverPeakKb();
  const t0 = performance.now();
  const res = await fetch(`${base}/api/admin/audit/export`, { headers: { cookie: `authjs.session-token=${token}` } });
  let bytes = 0;
  let lines = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    bytes += chunk.value.length;
    for (const b of chunk.value) if (b === 10) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `CSV export, every row: HTTP ${res.status}, ${(lines - 1).toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s; ` +
      `server peak RSS ${(before / 1024).toFixed(0)} MB before, ${(serverPeakKb() / 1024).toFixed(0)} MB after`,
  );
  await conn.sql`delete from sessions where session_token = ${token}`;
  await conn.sql.end();
}
