import type { Sql } from "postgres";
import { createDb } from "@/db/connect";

/**
 * /api/ready's own connection, apart from the app's pool: probes that wait on a frozen database
 * never take the connections pages need. One connection (made like every other pool, so it follows
 * the same pooler and timeout settings), opened on the first probe and closed after 5 minutes idle. A
 * probe past its deadline throws it away, so the next probe connects afresh instead of queueing
 * behind a query that may never come back.
 */
const g = globalThis as unknown as { porticoReadyPool?: Sql };

export function readyPool(url: string): Sql {
  g.porticoReadyPool ??= createDb(url, { max: 1 }).sql;
  return g.porticoReadyPool;
}

export function discardReadyPool() {
  const pool = g.porticoReadyPool;
  g.porticoReadyPool = undefined;
  void pool?.end({ timeout: 0 }).catch(() => {});
}
