import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDb>["db"];
/** A transaction handle; domain functions in lib/ take this so callers choose the transaction. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Anything queries can run on: the pool or a transaction. */
export type Queryable = Database | Tx;

/**
 * `DATABASE_POOLER=transaction`: DATABASE_URL goes through a pooler in transaction mode (PgBouncer),
 * where consecutive statements may run on different server connections, so a statement prepared on
 * one is unknown on the next: queries go unprepared. Read here rather than through lib/env because
 * scripts and tests connect without it; lib/env validates the value at start-up.
 */
export function behindTransactionPooler() {
  return process.env.DATABASE_POOLER === "transaction";
}

export function createDb(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: !behindTransactionPooler(),
    onnotice: () => {},
    // Keep connections short-lived enough that a restarted database is picked up again.
    idle_timeout: 30,
  });
  const db = drizzle(sql, { schema, casing: "snake_case" });
  return { db, sql };
}
