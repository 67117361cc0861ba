import postgres, { type Sql } from "postgres";

/**
 * /api/ready's own connection, apart from the app's pool: probes that wait on a frozen database
 * never take the connections pages need. One connection, opened on the first probe and closed after
 * 30 s idle. A probe past its deadline throws it away, so the next probe connects afresh instead of
 * queueing behind a query that may never come back.
 */
const g = globalThis as unknown as { porticoReadyPool?: Sql };

export function readyPool(url: string): Sql {
  g.porticoReadyPool ??= postgres(url, { max: 1, idle_timeout: 30, connect_timeout: 2, onnotice: () => {} });
  return g.porticoReadyPool;
}

export function discardReadyPool() {
  const pool = g.porticoReadyPool;
  g.porticoReadyPool = undefined;
  void pool?.end({ timeout: 0 }).catch(() => {});
}
