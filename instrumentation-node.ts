// Marks each request with its socket address for the audit log and the sign-in limits (lib/net/client-ip.ts),
// starts the in-process job worker (emails) unless PORTICO_WORKER=off, e.g. when `npm run worker` runs separately,
// and the dedicated verify listener for gateways when PORTICO_VERIFY_PORT is set. Before any of them,
// the change listener: every instance hears what another committed (lib/coherence/changes.ts), and
// drops the catalogue pages and verify key lookups it cached from those tables. It also warns when no
// email can reach anyone (lib/mail/can-send-email.ts): sign-in by email would otherwise fail silently.
import { createDb } from "@/db/connect";
import { startProcessChanges } from "@/lib/coherence/changes";
import { expireCatalogueOnChange } from "@/lib/coherence/next-tags";
import { env } from "@/lib/env";
import { startWorker } from "@/lib/jobs/start-worker";
import { processVerifyContext } from "@/lib/keys/verify-context";
import { startVerifyServer } from "@/lib/keys/verify-server";
import { canSendEmail, NO_EMAIL_WARNING } from "@/lib/mail/can-send-email";
import { transportFromEnv } from "@/lib/mail/transport-from-env";
import { installPeerAddressHeader } from "@/lib/net/peer-address";

installPeerAddressHeader();

// Not during `next build` (prerendering has no second instance to hear from).
if (process.env.NEXT_PHASE !== "phase-production-build") {
  const changes = startProcessChanges(env.directDatabaseUrl);
  expireCatalogueOnChange(changes);
  // Serve nothing before listening (at most 1 s): the "*" it hears on connecting expires the
  // build's prerendered catalogue, which may be older than the database.
  await changes.ready(1000);
  process.once("SIGTERM", () => void changes.close());
}

if (process.env.NEXT_PHASE !== "phase-production-build" && !canSendEmail()) console.warn(NO_EMAIL_WARNING);

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

if (env.verifyListener) {
  const { sql } = createDb(env.DATABASE_URL, { max: 10, timeoutMs: env.dbTimeoutMs });
  const listener = await startVerifyServer({ sql, prefix: env.keyPrefix, baseUrl: env.baseUrl, ...env.verifyListener });
  console.log(`Key verify listener on ${listener.url}/api/v1/keys/verify`);
  // What the limiter counted since its last flush is written before the pool closes.
  const stop = () => void listener.close().then(() => processVerifyContext(sql).flush()).then(() => sql.end({ timeout: 5 }));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
