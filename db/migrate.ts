import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";

/** Applies the committed drizzle/ migrations and graphile-worker's own schema. Safe to run on every start. */
export async function migrateDatabase(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: path.join(process.cwd(), "drizzle") });
  } finally {
    await sql.end();
  }
  await runWorkerMigrations({ connectionString: url, logger: quietLogger() });
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
