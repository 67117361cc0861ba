import type { Sql } from "postgres";
import { usageLimiter } from "@/lib/usage/limiter";
import { importedKeysFlag } from "./imported-keys";
import { lastUsedRecorder } from "./last-used";

/** What verify keeps in memory: limit counts and usage, last-used stamps, whether imported keys exist. */
export type VerifyContext = {
  limiter: ReturnType<typeof usageLimiter>;
  lastUsed: ReturnType<typeof lastUsedRecorder>;
  importedKeys: ReturnType<typeof importedKeysFlag>;
  /** Writes what is still in memory (shutdown). */
  flush: () => Promise<void>;
};

export function createVerifyContext(sql: Sql, opts: { flushMs?: number } = {}): VerifyContext {
  const limiter = usageLimiter(sql, { flushMs: opts.flushMs });
  const lastUsed = lastUsedRecorder(sql);
  const importedKeys = importedKeysFlag(sql);
  return {
    limiter,
    lastUsed,
    importedKeys,
    flush: async () => {
      importedKeys.stop();
      await Promise.all([limiter.flush(), lastUsed.flush()]);
    },
  };
}

/**
 * One context per process, shared by the Next route and the dedicated listener (they may be
 * bundled apart, so it lives on globalThis): the limit counts of one instance are one set.
 */
export function processVerifyContext(sql: Sql): VerifyContext {
  const g = globalThis as unknown as { porticoVerify?: VerifyContext };
  g.porticoVerify ??= createVerifyContext(sql);
  return g.porticoVerify;
}
