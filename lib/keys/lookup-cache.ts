import { type ChangeListener, KEY_TABLES } from "@/lib/coherence/changes";
import type { KeyRow } from "./verify-key";

export type KeyLookup = (keyHash: string) => Promise<readonly KeyRow[]>;

/**
 * Verify's key lookups, kept in memory per instance and kept correct by the change notifications
 * (lib/coherence/changes.ts): a change to any table a verify answer is built from (a revoke, roll,
 * expiry, check-in, a disabled user's keys, an archived product, a renamed app) empties the cache
 * on every instance as soon as it is committed. Time is not cached: a row holds `expires_at` and
 * `ends_at`, and verify compares them with the clock on every call.
 *
 * While the listener is not live (connection lost, database frozen) nothing is answered from
 * memory and nothing is kept: every call asks the database, as without a cache. A lookup is kept
 * only if no change was heard while it ran, so a row read just before a revoke is never kept after
 * the revoke's notification. Unknown keys are kept too (an empty answer), so a gateway repeating a
 * bad key does not reach the database each time, but apart: at most `maxUnknown` of them, so a
 * caller spraying random well-formed keys cannot push the keys in use out. `maxEntries` bounds the
 * keys that exist (least recently used first out).
 */
export function cachedKeyLookup(lookup: KeyLookup, changes: ChangeListener, opts: { maxEntries?: number; maxUnknown?: number } = {}) {
  const maxEntries = opts.maxEntries ?? 100_000;
  const maxUnknown = opts.maxUnknown ?? Math.max(1, Math.floor(maxEntries / 10));
  const known = new Map<string, readonly KeyRow[]>();
  const unknown = new Map<string, readonly KeyRow[]>();
  let hits = 0;
  let misses = 0;
  const clear = () => {
    known.clear();
    unknown.clear();
  };

  const unsubscribe = changes.subscribe((change) => {
    if (change === "*" || KEY_TABLES.has(change)) clear();
  });

  return {
    lookup: async (keyHash: string): Promise<readonly KeyRow[]> => {
      if (!changes.live()) {
        clear();
        return lookup(keyHash);
      }
      const hit = known.get(keyHash) ?? unknown.get(keyHash);
      if (hit) {
        hits++;
        if (hit.length > 0) {
          // Most recently used last: the first out is the one least used.
          known.delete(keyHash);
          known.set(keyHash, hit);
        }
        return hit;
      }
      misses++;
      const before = changes.generation();
      const rows = await lookup(keyHash);
      if (changes.generation() === before && changes.live()) {
        const [into, bound] = rows.length > 0 ? [known, maxEntries] : [unknown, maxUnknown];
        into.delete(keyHash);
        if (into.size >= bound) into.delete(into.keys().next().value as string);
        into.set(keyHash, rows);
      }
      return rows;
    },
    /** For tests and the bench. */
    stats: () => ({ entries: known.size + unknown.size, hits, misses }),
    stop: unsubscribe,
  };
}
