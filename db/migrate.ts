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
/** How long a starter waits for another instance's migrations before it gives up (PORTICO_MIGRATION_LOCK_WAIT_S). */
export const MIGRATION_LOCK_WAIT_MS = 10 * 60_000;

/** The migrator's session, named so an operator can find it in pg_stat_activity. */
const APPLICATION_NAME = "portico-migrate";

export async function migrateDatabase(url: string, opts: { log?: (line: string) => void; lockWaitMs?: number } = {}) {
  const fromEnv = Number(process.env.PORTICO_MIGRATION_LOCK_WAIT_S) * 1000;
  const lockWaitMs = opts.lockWaitMs ?? (fromEnv > 0 ? fromEnv : MIGRATION_LOCK_WAIT_MS);
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: APPLICATION_NAME },
  });
  try {
    // A migrator whose host dies leaves its connection half-open: with these keepalives the server
    // notices within about 25 s and its lock goes with it (instead of after the kernel's 2 hours).
    // Set after connecting, not as startup parameters, which PgBouncer would refuse.
    await sql`select set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
      set_config('tcp_keepalives_count', '3', false)`.catch(() => {});
    const [first] = await sql<{ locked: boolean }[]>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint) as locked`;
    if (!first?.locked) {
      opts.log?.("Another instance is applying migrations; waiting for it to finish …");
      // Not forever: a migrator that hangs holding the lock would keep every starter waiting silently.
      await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockWaitMs))}ms`}, false)`;
      try {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
      } catch (error) {
        if ((error as { code?: unknown }).code !== "55P03") throw error;
        throw new Error(
          `Another instance has held the migration lock for more than ${lockWaitMs / 1000} s; it may be stuck. ` +
            `Find it with \`select pid, client_addr, backend_start, state, query from pg_stat_activity where application_name = '${APPLICATION_NAME}'\`; ` +
            "if it is not making progress, end it with `select pg_terminate_backend(pid)` and start again (no migration is ever half-applied). " +
            "PORTICO_MIGRATION_LOCK_WAIT_S sets how long to wait.",
        );
      } finally {
        await sql`select set_config('lock_timeout', '0', false)`.catch(() => {});
      }
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
