import "server-only";
import { env } from "@/lib/env";
import { createDb } from "./connect";

// `next build` imports route modules to collect their config but never queries; postgres.js only
// connects on the first query, so a placeholder URL keeps the build free of any database.
const url =
  process.env.NEXT_PHASE === "phase-production-build" ? "postgres://build@127.0.0.1:1/unused" : env.DATABASE_URL;

// One pool per server process, kept across dev hot reloads (create-t3-app's globalForDb pattern).
const globalForDb = globalThis as unknown as { portico?: ReturnType<typeof createDb> };

const conn = globalForDb.portico ?? createDb(url);
if (process.env.NODE_ENV !== "production") globalForDb.portico = conn;

export const db = conn.db;
export const sql = conn.sql;
