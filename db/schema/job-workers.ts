import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

// The job queue's live worker pools (graphile-worker's locked_by ids), one row each, refreshed by a
// heartbeat. graphile-worker keeps a dead pool's job locks for 4 hours; a pool whose heartbeat is
// stale is gone, so any instance may force-unlock its jobs (lib/jobs/worker-liveness.ts).
export const jobWorkers = pgTable("job_workers", {
  // graphile-worker's pool id, the value it writes in the jobs' locked_by
  id: text().primaryKey(),
  // host:pid, for people reading the table
  process: text().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
