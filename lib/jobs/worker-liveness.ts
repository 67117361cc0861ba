import { hostname } from "node:os";
import type { Pool } from "pg";

export type Liveness = {
  /** How often each process marks its worker pools alive in job_workers. */
  heartbeatMs: number;
  /** A pool not marked alive for this long is gone: its job locks are released. */
  staleMs: number;
  /** How often each process looks for gone pools (also once at start). */
  sweepMs: number;
};

/**
 * A SIGKILLed or crashed worker's jobs stay locked by it; graphile-worker would release them only
 * after 4 hours. A live pool beats every 5 s, so 30 s without a beat (6 missed, however slow the
 * database) means it is gone; a restart or another instance frees its jobs within 35 s. Should a
 * pool only seem gone (its database connection stalled that long), an email it was sending is still
 * sent once: deliverEmail leases each message and passes the provider an idempotency key.
 */
export const DEFAULT_LIVENESS: Liveness = { heartbeatMs: 5_000, staleMs: 30_000, sweepMs: 5_000 };

/** Marks these pools alive now (registering them the first time). */
export async function heartbeat(pg: Pool, poolIds: readonly string[]) {
  if (poolIds.length === 0) return;
  await pg.query(
    `insert into job_workers (id, process) select unnest($1::text[]), $2
     on conflict (id) do update set heartbeat_at = now()`,
    [poolIds, `${hostname()}:${process.pid}`],
  );
}

/**
 * Releases the job locks of every registered pool whose last beat is older than staleMs, and
 * forgets those pools. One transaction: of instances sweeping at once, one releases each pool.
 * Only registered pools are released, never a lock whose owner this registry does not know (a pool
 * that has just started and not yet beaten, or an older Portico without the registry).
 */
export async function releaseGoneWorkers(pg: Pool, staleMs: number): Promise<string[]> {
  const client = await pg.connect();
  try {
    await client.query("begin");
    const { rows } = await client.query<{ id: string }>(
      "delete from job_workers where heartbeat_at < now() - make_interval(secs => $1) returning id",
      [staleMs / 1000],
    );
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) await client.query("select graphile_worker.force_unlock_workers($1::text[])", [ids]);
    await client.query("commit");
    return ids;
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function forgetWorkers(pg: Pool, poolIds: readonly string[]) {
  if (poolIds.length === 0) return;
  await pg.query("delete from job_workers where id = any($1::text[])", [poolIds]);
}

/**
 * Keeps this process's pools marked alive and sweeps gone ones, until stopped. Failures (the
 * database away) are retried at the next tick; a pool that cannot beat for staleMs may be released
 * by another instance, which deliverEmail's lease and idempotency key make harmless.
 */
export function watchWorkers(pg: Pool, poolIds: () => readonly string[], liveness: Liveness) {
  let sweeping: Promise<unknown> = Promise.resolve();
  const beat = () => heartbeat(pg, poolIds()).catch(() => {});
  const sweep = () => {
    sweeping = releaseGoneWorkers(pg, liveness.staleMs)
      .then((ids) => {
        if (ids.length > 0) console.log(`[worker] released the job locks of ${ids.length} gone worker pool(s): ${ids.join(", ")}`);
      })
      .catch(() => {});
    return sweeping;
  };
  const beats = setInterval(beat, liveness.heartbeatMs);
  const sweeps = setInterval(sweep, liveness.sweepMs);
  beats.unref();
  sweeps.unref();
  return {
    beat,
    sweep,
    stop: async () => {
      clearInterval(beats);
      clearInterval(sweeps);
      await sweeping;
    },
  };
}
