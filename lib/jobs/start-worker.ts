import { run, type Runner, type Task } from "graphile-worker";
import { createDb } from "@/db/connect";
import { quietLogger } from "@/db/migrate";
import { expireDueKeys, warnExpiringKeys } from "@/lib/keys/key-lifecycle";
import { deliverEmail } from "@/lib/mail/deliver-email";
import { SEND_EMAIL_TASK } from "@/lib/mail/enqueue-email";
import type { Transport } from "@/lib/mail/transport";

export const EXPIRE_KEYS_TASK = "expire-keys";

type WorkerOptions = {
  connectionString: string;
  transport: Transport;
  from: string;
  /** Origin for links in emails the scheduled jobs send. */
  baseUrl: string;
  concurrency?: number;
  pollInterval?: number;
};

/** Runs the Postgres job queue. Safe with any number of instances: graphile-worker locks each job. */
export async function startWorker(opts: WorkerOptions): Promise<{ runner: Runner; stop: () => Promise<void> }> {
  const { db, sql } = createDb(opts.connectionString, { max: 2 });

  const sendEmail: Task = async (payload, helpers) => {
    const { messageId } = payload as { messageId: string };
    await deliverEmail(db, messageId, opts.transport, {
      from: opts.from,
      finalAttempt: helpers.job.attempts >= helpers.job.max_attempts,
    });
  };

  // Every minute: keys past their expiry end, their requests expire, requesters are emailed; keys
  // expiring within a week get one warning email.
  const expireKeys: Task = async () => {
    await expireDueKeys(db, opts.baseUrl);
    await warnExpiringKeys(db, opts.baseUrl);
  };

  const runner = await run({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency ?? 4,
    pollInterval: opts.pollInterval ?? 1000,
    noHandleSignals: true,
    logger: quietLogger(),
    taskList: { [SEND_EMAIL_TASK]: sendEmail, [EXPIRE_KEYS_TASK]: expireKeys },
    crontab: `* * * * * ${EXPIRE_KEYS_TASK}`,
  });
  return {
    runner,
    stop: async () => {
      await runner.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
