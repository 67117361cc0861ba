import { lt, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { oauthJtis } from "@/db/schema";

/**
 * How far the app's clock may run behind the database's. The purge deletes a jti this long after its
 * expiry by the database's clock, and the token endpoint records an assertion's jti only while the
 * database's clock finds it unexpired within the same margin: a purged jti cannot be replayed.
 */
export const JTI_CLOCK_MARGIN = "1 minute";

/**
 * Deletes used jtis once they guard nothing: a private_key_jwt assertion past its expiry is refused
 * by its `exp` (and maxTokenAge) anyway, and a revoked access token past its `exp` by its own expiry.
 * A minute's margin covers the clock of the app, which checks `exp`, running behind the database's.
 * Run by the worker on a schedule (lib/jobs/start-worker.ts), so the replay guard does not grow with
 * every token request. Deleting rows notifies no instance (only inserts of revoked tokens do).
 */
export async function purgeUsedJtis(q: Queryable): Promise<number> {
  const gone = await q
    .delete(oauthJtis)
    .where(lt(oauthJtis.expiresAt, sql`now() - ${JTI_CLOCK_MARGIN}::interval`))
    .returning({ jti: oauthJtis.jti });
  return gone.length;
}
