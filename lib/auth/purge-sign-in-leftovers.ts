import { lt, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { signInAttempts, verificationTokens } from "@/db/schema";

/**
 * Deletes what sign-in leaves behind once it counts for nothing: tokens of links past their expiry
 * (Auth.js deletes a token only when its link is used) and limit slots older than the longest
 * window (lib/auth/sign-in-limits.ts). Run by the worker on a schedule, so neither table grows
 * with anonymous requests.
 */
export async function purgeSignInLeftovers(q: Queryable): Promise<void> {
  await q.delete(verificationTokens).where(lt(verificationTokens.expires, sql`now()`));
  await q
    .delete(signInAttempts)
    .where(lt(signInAttempts.createdAt, sql`now() - interval '1 hour'`));
}
