import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";

/**
 * The advisory lock every Portico process takes around its migrations (pg_advisory_lock's one-bigint
 * form; the value spells "portico" in ASCII). Other code must not use this key.
 */
export const MIGRATION_LOCK_KEY = 0x706f727469636fn;

/**
 * Applies the committed drizzle/ migrations and graphile-worker's own schema. Safe to run on every
 * start, by any number of instances at once: they take turns on a session-level advisory lock held
 * on the one connection that runs drizzle's migrations, so the first applies what is pending and the
 * others, once it is done, find nothing left to do. Without the lock two starters both read "nothing
 * applied yet" and the second fails on the first's tables (db/migrate.test.ts).
 *
 * Never half-applied: drizzle's postgres-js migrator runs every pending migration, with its row in
 * drizzle.__drizzle_migrations, inside one transaction (PgDialect.migrate → session.transaction), so
 * a failure or a killed process leaves the database as it was. graphile-worker applies each of its
 * migrations in its own transaction, also with its bookkeeping row.
 *
 * Session-level locks need a direct connection: through PgBouncer in transaction mode pass
 * DATABASE_DIRECT_URL (scripts/migrate.ts does).
 */
export async function migrateDatabase(url: string, opts: { log?: (line: string) => void } = {}) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [first] = await sql<{ locked: boolean }[]>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint) as locked`;
    if (!first?.locked) {
      opts.log?.("Another instance is applying migrations; waiting for it to finish …");
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
    try {
      await migrate(drizzle(sql), { migrationsFolder: path.join(process.cwd(), "drizzle") });
      await runWorkerMigrations({ connectionString: url, logger: quietLogger() });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
  } finally {
    // Closing the session releases the lock too, should the unlock above not have run.
    await sql.end();
  }
}

/** Postgres stopping alongside the app (Ctrl-C reaches both) is a normal shutdown, not an error. */
export function isShutdownMessage(message: string) {
  return /administrator command|Connection terminated|ECONNREFUSED|not queryable/.test(message);
}

/** graphile-worker logs every step at info; start-up and tests only need warnings and errors. */
export function quietLogger() {
  return new Logger(() => (level: string, message: string) => {
    if (isShutdownMessage(message)) return;
    if (level === "error" || level === "warning") console.error(`[worker] ${message}`);
  });
}
