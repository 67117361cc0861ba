import { databaseUnavailableIn } from "@/db/unavailable";

/**
 * What a log line may say about an error. A database error is described by its Postgres code and
 * constraint only: drizzle's message named the query's parameters before db/connect.ts withheld
 * them, and Postgres's detail repeats values ("Key (email)=(…) already exists"), so neither is logged.
 */
export function describeError(error: unknown): string {
  const down = databaseUnavailableIn(error);
  if (down) return down.message;
  const pg = postgresErrorIn(error);
  if (pg) {
    const where = [pg.constraint_name && `constraint ${pg.constraint_name}`, pg.table_name && `table ${pg.table_name}`].filter(Boolean).join(", ");
    return `database error ${pg.code}${where ? ` (${where})` : ""}`;
  }
  if (error instanceof Error) {
    if (error.name === "DrizzleQueryError" || error.message.startsWith("Failed query:")) return "database query failed";
    return `${error.name}: ${error.message}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

type PostgresErrorFields = { code: string; message?: string; constraint_name?: string; table_name?: string };

/** postgres.js's PostgresError, thrown directly or as the cause of drizzle's wrapper. */
export function postgresErrorIn(error: unknown): PostgresErrorFields | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const e = current as { name?: unknown; code?: unknown; severity?: unknown; cause?: unknown };
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && (e.name === "PostgresError" || typeof e.severity === "string")) {
      return current as PostgresErrorFields;
    }
    current = e.cause;
  }
  return null;
}
