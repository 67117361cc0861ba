import type { Sql } from "postgres";
import { type ChangeListener, processChanges } from "@/lib/coherence/changes";
import { env } from "@/lib/env";
import { type AccessTokenVerifier, accessTokenVerifier } from "@/lib/oauth/verify-token";
import { usageLimiter } from "@/lib/usage/limiter";
import { importedKeysFlag } from "./imported-keys";
import { lastUsedRecorder } from "./last-used";
import { type KeyLookup, cachedKeyLookup } from "./lookup-cache";
import { lookupKey } from "./verify-key";

/**
 * What verify keeps in memory: key lookups (kept correct by the change notifications when there is
 * a listener), limit counts and usage, last-used stamps, whether imported keys exist.
 */
export type VerifyContext = {
  /** The key lookup: from memory while the change listener is live, else the database. */
  lookup: KeyLookup;
  /** The same lookup without the memory (the bench's "without cache" line). */
  lookupUncached: KeyLookup;
  limiter: ReturnType<typeof usageLimiter>;
  lastUsed: ReturnType<typeof lastUsedRecorder>;
  importedKeys: ReturnType<typeof importedKeysFlag>;
  /** OAuth access tokens (lib/oauth/verify-token.ts), when the context knows the issuer. */
  accessTokens?: AccessTokenVerifier;
  /** Writes what is still in memory (shutdown). */
  flush: () => Promise<void>;
};

export function createVerifyContext(sql: Sql, opts: { flushMs?: number; changes?: ChangeListener; issuer?: string } = {}): VerifyContext {
  const limiter = usageLimiter(sql, { flushMs: opts.flushMs });
  const lastUsed = lastUsedRecorder(sql);
  const importedKeys = importedKeysFlag(sql);
  const lookupUncached: KeyLookup = (hash) => lookupKey(sql, hash);
  const accessTokens = opts.issuer ? accessTokenVerifier(sql, { issuer: opts.issuer, changes: opts.changes }) : undefined;
  const cache = opts.changes ? cachedKeyLookup(lookupUncached, opts.changes) : undefined;
  // An import is seen at once rather than at the flag's next read; so is one made while the
  // listener was away ("*" on its return).
  const unsubscribe = opts.changes?.subscribe((change) => {
    if (change === "api_keys" || change === "*") void importedKeys.refresh();
  });
  return {
    lookup: cache?.lookup ?? lookupUncached,
    lookupUncached,
    limiter,
    lastUsed,
    importedKeys,
    accessTokens,
    flush: async () => {
      importedKeys.stop();
      accessTokens?.stop();
      cache?.stop();
      unsubscribe?.();
      await Promise.all([limiter.flush(), lastUsed.flush()]);
    },
  };
}

/** The OAuth issuer (AUTH_URL) whose access tokens verify accepts; none when the environment lacks it (tests of keys alone). */
function oauthIssuer() {
  try {
    return env.baseUrl;
  } catch {
    return undefined;
  }
}

/**
 * One context per process, shared by the Next route and the dedicated listener (they may be
 * bundled apart, so it lives on globalThis): the limit counts of one instance are one set.
 */
export function processVerifyContext(sql: Sql): VerifyContext {
  const g = globalThis as unknown as { porticoVerify?: VerifyContext };
  g.porticoVerify ??= createVerifyContext(sql, { changes: processChanges(), issuer: oauthIssuer() });
  return g.porticoVerify;
}
