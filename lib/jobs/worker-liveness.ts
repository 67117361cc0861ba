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
 *
 * `ownPoolIds` are the sweeper's own pools: when their beats are late too (older than half the
 * staleness), the database (or this process's link to it) was away, and every other pool's old beat
 * is the outage's, not a sign that it is gone; nothing is released until the sweeper beats again.
 * Likewise a sweep that itself waited longer than `maxWaitMs` (for a connection, or for a frozen
 * database) releases no one: it would judge everyone's beats at the moment the outage ends, before
 * the others could beat again. Staleness is judged by the database's clock alone (now(), the
 * transaction's start), never an app host's.
 */
export async function releaseGoneWorkers(
  pg: Pool,
  staleMs: number,
  ownPoolIds: readonly string[] = [],
  maxWaitMs = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const started = performance.now();
  const client = await pg.connect();
  try {
    await client.query("begin");
    const { rows: own } = await client.query<{ lagging: boolean | null }>(
      "select bool_or(heartbeat_at < now() - make_interval(secs => $2)) as lagging from job_workers where id = any($1::text[])",
      [ownPoolIds, staleMs / 2000],
    );
    if (own[0]?.lagging || performance.now() - started > maxWaitMs) {
      await client.query("commit");
      return [];
    }
    const { rows } = await client.query<{ id: string }>(
      "delete from job_workers where heartbeat_at < now() - make_interval(secs => $1) and not (id = any($2::text[])) returning id",
      [staleMs / 1000, ownPoolIds],
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
 *
 * After one of this process's beats failed or came late (the database away, frozen or slow), it
 * sweeps no one for staleMs: the other instances' beats were held up by the same outage, and they
 * get that long to beat again before their jobs count as abandoned. A process that has just started
 * has seen no trouble and sweeps at once (a restart after a crash frees the dead pools' jobs).
 */
export function watchWorkers(pg: Pool, poolIds: () => readonly string[], liveness: Liveness) {
  let sweeping: Promise<unknown> = Promise.resolve();
  let troubleAt = Number.NEGATIVE_INFINITY;
  // Beats under way, each with when it started: one still out after heartbeatMs is trouble, and
  // stop() waits for them (one that landed after the caller forgot the pools, forgetWorkers, would
  // register them again, to be swept as gone a staleness later).
  const inFlight = new Map<Promise<void>, number>();
  const beat = () => {
    const started = performance.now();
    const underWay = (async () => {
      try {
        await heartbeat(pg, poolIds());
        if (performance.now() - started > liveness.heartbeatMs) troubleAt = performance.now();
      } catch {
        troubleAt = performance.now();
      }
    })();
    inFlight.set(underWay, started);
    void underWay.finally(() => inFlight.delete(underWay));
    return underWay;
  };
  const troubled = () => {
    const now = performance.now();
    return now - troubleAt < liveness.staleMs || [...inFlight.values()].some((started) => now - started > liveness.heartbeatMs);
  };
  const sweep = () => {
    if (troubled()) return sweeping;
    sweeping = releaseGoneWorkers(pg, liveness.staleMs, poolIds(), liveness.heartbeatMs)
      .then((ids) => {
        if (ids.length > 0) console.log(`[worker] released the job locks of ${ids.length} gone worker pool(s): ${ids.join(", ")}`);
      })
      .catch(() => {
        troubleAt = performance.now();
      });
    return sweeping;
  };
  const beats = setInterval(() => void beat(), liveness.heartbeatMs);
  const sweeps = setInterval(sweep, liveness.sweepMs);
  beats.unref();
  sweeps.unref();
  return {
    beat,
    sweep,
    stop: async () => {
      clearInterval(beats);
      clearInterval(sweeps);
      await Promise.all([sweeping, ...inFlight.keys()]);
    },
  };
}
