import { EventEmitter } from "node:events";
import { run, type Runner, type Task, type WorkerEvents } from "graphile-worker";
import { Pool } from "pg";
import { behindTransactionPooler, createDb } from "@/db/connect";
import { describeError } from "@/lib/describe-error";
import { isShutdownMessage, quietLogger } from "@/db/migrate";
import { purgeSignInLeftovers } from "@/lib/auth/purge-sign-in-leftovers";
import { warnExpiringAccessKeys } from "@/lib/api-access/warn-expiring-access-keys";
import { expireDueKeys } from "@/lib/keys/key-lifecycle";
import { sendReminderDigests } from "@/lib/keys/reminders";
import { expireUnclaimedRequests } from "@/lib/requests/expire-unclaimed";
import { fallBackHandoffs } from "@/lib/requests/handoff-fallback";
import { purgeUsedJtis } from "@/lib/oauth/purge-used-jtis";
import { deliverEmail } from "@/lib/mail/deliver-email";
import type { RetrySchedule } from "@/lib/mail/useful-life";
import { SEND_EMAIL_TASK } from "@/lib/mail/enqueue-email";
import type { Transport } from "@/lib/mail/transport";
import { deliverWebhook, sweepWebhooks } from "@/lib/webhooks/deliver";
import { DELIVER_WEBHOOK_TASK } from "@/lib/webhooks/emit";
import type { TargetPolicy } from "@/lib/webhooks/targets";
import { DEFAULT_LIVENESS, type Liveness, forgetWorkers, watchWorkers } from "./worker-liveness";

export const EXPIRE_KEYS_TASK = "expire-keys";
export const KEY_REMINDERS_TASK = "key-reminder-digests";
export const PURGE_SIGN_IN_TASK = "purge-sign-in-leftovers";
export const WARN_ACCESS_KEYS_TASK = "warn-expiring-api-access-keys";
export const SWEEP_WEBHOOKS_TASK = "sweep-webhooks";
export const HANDOFF_FALLBACK_TASK = "handoff-fallback";
export const PURGE_OAUTH_JTIS_TASK = "purge-oauth-jtis";

type WorkerOptions = {
  connectionString: string;
  transport: Transport;
  from: string;
  /** Origin for links in emails the scheduled jobs send. */
  baseUrl: string;
  concurrency?: number;
  pollInterval?: number;
  /**
   * Webhook sending: how many attempts at once (default 8); for tests, which targets are reachable,
   * a compressed retry schedule, a shorter timeout.
   */
  webhooks?: { concurrency?: number; policy?: TargetPolicy; delays?: readonly number[]; timeoutMs?: number };
  /** For tests: one retry schedule for every email instead of each template's own. */
  email?: { schedule?: RetrySchedule };
  /** For tests: heartbeat and staleness of worker pools (lib/jobs/worker-liveness.ts). */
  liveness?: Partial<Liveness>;
};

/**
 * graphile-worker logs a failed task's error message and keeps it in its jobs table; a database
 * error's message carries the query's parameters (addresses, names), so only its code goes on.
 */
function withSafeErrors(task: Task): Task {
  return async (payload, helpers) => {
    try {
      await task(payload, helpers);
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
      if (error instanceof Error && isShutdownMessage(`${error.message} ${cause}`)) throw error;
      throw new Error(describeError(error));
    }
  };
}

/**
 * How often an idle worker asks for jobs. New jobs are announced (LISTEN/NOTIFY) and start at once;
 * polling finds the ones due later (retries, scheduled attempts) and a job added again under a key
 * it already waits under (an admin's email Retry, a delivery's lease re-check), which graphile-worker
 * does not announce: 2 s, graphile-worker's own default, is soon enough for those. Behind a
 * transaction pooler nothing is announced (no LISTEN), so every job waits for a poll: 1 s there.
 * Each of the 12 workers polls on its own, on the app's event loop when the worker is inline: at 1 s
 * those polls had cost the approval queue 1.7–3.1 ms at p50 and 3.8–6.2 ms at p95 (an A/B against
 * PORTICO_WORKER=off, 3 rounds of 500 requests).
 */
function defaultPollInterval() {
  return behindTransactionPooler() ? 1000 : 2000;
}

/** Runs the Postgres job queue. Safe with any number of instances: graphile-worker locks each job. */
export async function startWorker(opts: WorkerOptions): Promise<{ runner: Runner; stop: () => Promise<void> }> {
  const { db, sql } = createDb(opts.connectionString, { max: 2 });

  const sendEmail: Task = withSafeErrors(async (payload) => {
    const { messageId } = payload as { messageId: string };
    // A failed attempt schedules the next one itself (the template's schedule), so it does not throw.
    await deliverEmail(db, messageId, opts.transport, { from: opts.from, schedule: opts.email?.schedule });
  });

  // Every minute: keys past their expiry end, their requests expire, requesters are emailed;
  // approved requests whose access window ended unclaimed expire too.
  const expireKeys: Task = withSafeErrors(async () => {
    await expireDueKeys(db, opts.baseUrl);
    await expireUnclaimedRequests(db, opts.baseUrl);
  });

  // Every minute, a task of its own: keys reaching a day of their plan's reminder schedule are
  // listed in one digest email per recipient per day (lib/keys/reminders.ts; safe with N workers).
  const keyReminders: Task = withSafeErrors(async () => {
    await sendReminderDigests(db, opts.baseUrl);
  });

  // Every five minutes, a task of its own so a failing key expiry cannot stop it: expired
  // verification tokens and sign-in limit slots past their window are deleted.
  const purgeSignIn: Task = async () => {
    await purgeSignInLeftovers(db);
  };

  // Every ten minutes, a task of its own: the admin who added a portal API access key expiring
  // within a week is emailed once.
  const warnAccessKeys: Task = withSafeErrors(async () => {
    await warnExpiringAccessKeys(db, opts.baseUrl);
  });

  // Every ten minutes, a task of its own: OAuth jtis (private_key_jwt assertions used, access tokens
  // revoked) past their expiry are deleted; they guard nothing any more (lib/oauth/purge-used-jtis.ts).
  const purgeOAuthJtis: Task = withSafeErrors(async () => {
    await purgeUsedJtis(db);
  });

  // One attempt of one webhook delivery; the next attempt is its own job (lib/webhooks/deliver.ts).
  // Webhooks have a lane of their own (below), with their own connections.
  const { concurrency: webhookConcurrency = 8, ...deliverOptions } = opts.webhooks ?? {};
  const hooks = createDb(opts.connectionString, { max: Math.min(webhookConcurrency, 4) });
  const deliverWebhookTask: Task = withSafeErrors(async (payload) => {
    const { deliveryId } = payload as { deliveryId: string };
    await deliverWebhook(hooks.db, deliveryId, { baseUrl: opts.baseUrl, ...deliverOptions });
  });

  // Every minute: overdue webhook deliveries (their worker died mid-attempt) are enqueued again;
  // events older than 30 days go.
  const sweepWebhooksTask: Task = withSafeErrors(async () => {
    await sweepWebhooks(db);
  });

  // Every minute, a task of its own: External plans' requests that their third party did not decide
  // in time fall back to manual approval, and their approvers are emailed.
  const handoffFallbackTask: Task = withSafeErrors(async () => {
    await fallBackHandoffs(db, opts.baseUrl);
  });

  // graphile-worker's own pool drops its error listeners as it stops; a connection that then dies
  // (Postgres stopping alongside the app on Ctrl-C, or a restart) became an uncaughtException.
  // This pool keeps its listeners for its whole life.
  const concurrency = opts.concurrency ?? 4;
  const pgPool = new Pool({ connectionString: opts.connectionString, max: concurrency + webhookConcurrency + 3 });
  const onPgError = (error: Error & { code?: string }) => {
    // 57P01: the server is shutting down ("terminating connection due to administrator command").
    if (error.code !== "57P01" && !isShutdownMessage(error.message)) console.error(`[worker] PostgreSQL connection error: ${error.message}`);
  };
  pgPool.on("error", onPgError);
  pgPool.on("connect", (client) => client.on("error", onPgError));

  // Behind PgBouncer in transaction mode, prepared statements would not survive the next statement;
  // its LISTEN is not kept either, so new jobs are picked up by polling (pollInterval).
  const noPreparedStatements = behindTransactionPooler();
  // Every pool this process runs is registered and beats (lib/jobs/worker-liveness.ts); the pool ids
  // are graphile-worker's locked_by values, known from its pool:create event.
  const poolIds: string[] = [];
  const events: WorkerEvents = new EventEmitter();
  events.on("pool:create", ({ workerPool }) => {
    poolIds.push(workerPool.id);
    void liveness.beat();
  });
  const liveness = watchWorkers(pgPool, () => poolIds, { ...DEFAULT_LIVENESS, ...opts.liveness });

  const runner = await run({
    pgPool,
    noPreparedStatements,
    events,
    concurrency,
    pollInterval: opts.pollInterval ?? defaultPollInterval(),
    noHandleSignals: true,
    logger: quietLogger(),
    taskList: {
      [SEND_EMAIL_TASK]: sendEmail,
      [EXPIRE_KEYS_TASK]: expireKeys,
      [KEY_REMINDERS_TASK]: keyReminders,
      [PURGE_SIGN_IN_TASK]: purgeSignIn,
      [WARN_ACCESS_KEYS_TASK]: warnAccessKeys,
      [SWEEP_WEBHOOKS_TASK]: sweepWebhooksTask,
      [HANDOFF_FALLBACK_TASK]: handoffFallbackTask,
      [PURGE_OAUTH_JTIS_TASK]: purgeOAuthJtis,
    },
    crontab: [
      `* * * * * ${EXPIRE_KEYS_TASK}`,
      `* * * * * ${KEY_REMINDERS_TASK}`,
      `* * * * * ${SWEEP_WEBHOOKS_TASK}`,
      `* * * * * ${HANDOFF_FALLBACK_TASK}`,
      `*/5 * * * * ${PURGE_SIGN_IN_TASK}`,
      `*/10 * * * * ${WARN_ACCESS_KEYS_TASK}`,
      `*/10 * * * * ${PURGE_OAUTH_JTIS_TASK}`,
    ].join("\n"),
  });
  // Webhook attempts run in a runner of their own (graphile-worker fetches only the tasks a runner
  // knows): a burst of emails to render does not hold back the events (a decision's webhook waited
  // seconds behind its approval emails), and receivers timing out do not hold back the emails.
  const webhookRunner = await run({
    pgPool,
    noPreparedStatements,
    events,
    concurrency: webhookConcurrency,
    pollInterval: opts.pollInterval ?? defaultPollInterval(),
    noHandleSignals: true,
    logger: quietLogger(),
    taskList: { [DELIVER_WEBHOOK_TASK]: deliverWebhookTask },
  });
  // A worker starting (often: coming back after a crash) sweeps at once, so a delivery a dead
  // worker held is sent again as soon as its lease has lapsed instead of at the next minute's sweep.
  // Keyed, so instances starting together add one sweep, not one each.
  await runner.addJob(SWEEP_WEBHOOKS_TASK, {}, { jobKey: SWEEP_WEBHOOKS_TASK });
  // Likewise for the job queue itself: the jobs a gone worker (often: this process before a crash)
  // held are released at once when its heartbeat is stale, else at a later sweep.
  await liveness.sweep();
  return {
    runner,
    stop: async () => {
      await Promise.all([runner.stop(), webhookRunner.stop()]);
      await liveness.stop();
      await forgetWorkers(pgPool, poolIds).catch(() => {});
      await Promise.all([pgPool.end(), sql.end({ timeout: 5 }), hooks.sql.end({ timeout: 5 })]);
    },
  };
}
