import "server-only";
import { env } from "@/lib/env";
import { createDb, INDEX_ORDER_SETTINGS, startupSettingsAllowed, statementLimit } from "./connect";

// One pool per server process, kept across dev hot reloads (create-t3-app's globalForDb pattern).
// `npm run build` runs through scripts/with-db.ts, so prerendered catalogue pages read a real database.
const globalForDb = globalThis as unknown as { portico?: ReturnType<typeof createDb>; porticoIndexOrder?: ReturnType<typeof createDb> };

const conn = globalForDb.portico ?? createDb(env.DATABASE_URL, { timeoutMs: env.dbTimeoutMs });
if (process.env.NODE_ENV !== "production") globalForDb.portico = conn;

export const db = conn.db;
export const sql = conn.sql;

/**
 * The approval queue's pool: its connections start with INDEX_ORDER_SETTINGS, so a page of the
 * queue is one statement instead of a transaction of four (each round trip costs every page view).
 * Behind a pooler (DATABASE_POOLER), which may refuse startup parameters, it is the main pool and
 * the queue sets them in a transaction (lib/admin/queue-query.ts), and a statement the page gave up
 * on runs on.
 */
const indexOrder = !startupSettingsAllowed()
  ? null
  : (globalForDb.porticoIndexOrder ??
    createDb(env.DATABASE_URL, {
      max: 4,
      timeoutMs: env.dbTimeoutMs,
      // And PostgreSQL ends a statement the page has given up on (statementLimit).
      settings: { ...INDEX_ORDER_SETTINGS, ...statementLimit(env.dbTimeoutMs) },
    }));
if (indexOrder && process.env.NODE_ENV !== "production") globalForDb.porticoIndexOrder = indexOrder;

export const indexOrderDb = indexOrder?.db ?? conn.db;
