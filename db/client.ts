import "server-only";
import { env } from "@/lib/env";
import { createDb } from "./connect";

// One pool per server process, kept across dev hot reloads (create-t3-app's globalForDb pattern).
// `npm run build` runs through scripts/with-db.ts, so prerendered catalogue pages read a real database.
const globalForDb = globalThis as unknown as { portico?: ReturnType<typeof createDb> };

const conn = globalForDb.portico ?? createDb(env.DATABASE_URL, { timeoutMs: env.dbTimeoutMs });
if (process.env.NODE_ENV !== "production") globalForDb.portico = conn;

export const db = conn.db;
export const sql = conn.sql;
