// Standalone job worker (`npm run worker`), for deployments that run PORTICO_WORKER=off on web nodes.
import { surviveDroppedTypeFetches } from "../db/dropped-type-fetch";
import { startWorker } from "../lib/jobs/start-worker";
import { parseEnv } from "../lib/env";
import { canSendEmail, NO_EMAIL_WARNING } from "../lib/mail/can-send-email";
import { outboxTransport, resendTransport } from "../lib/mail/transport";

// A database restarting while a pool connects must not end the worker (Next's server logs it itself).
surviveDroppedTypeFetches();
const env = parseEnv(process.env);
const worker = await startWorker({
  connectionString: env.DATABASE_URL,
  transport: env.resend ? resendTransport(env.resend.apiKey) : outboxTransport,
  from: env.emailFrom,
  baseUrl: env.baseUrl,
});
console.log("Portico worker running. Ctrl-C to stop.");
// This process is the one that sends: PORTICO_WORKER=off, if one env file gives it to the web
// instances and this worker alike, must not silence the warning here.
if (!canSendEmail({ ...env, worker: "inline" })) console.warn(NO_EMAIL_WARNING);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void worker.stop().then(() => process.exit(0)));
}
