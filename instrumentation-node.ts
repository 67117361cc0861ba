// Starts the in-process job worker (emails) unless PORTICO_WORKER=off, e.g. when `npm run worker` runs separately.
import { env } from "@/lib/env";
import { startWorker } from "@/lib/jobs/start-worker";
import { transportFromEnv } from "@/lib/mail/transport-from-env";

if (env.worker === "inline") {
  const worker = await startWorker({
    connectionString: env.DATABASE_URL,
    transport: transportFromEnv(),
    from: env.emailFrom,
    baseUrl: env.baseUrl,
  });
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
