import type { Sql } from "postgres";
import { describeError } from "@/lib/describe-error";

/**
 * `last_used_at` without a write per verify: ids collect in memory and one UPDATE per interval
 * stamps them all. Per process; a key used on two instances is stamped by both, harmlessly.
 */
export function lastUsedRecorder(sql: Sql, intervalMs = 5000) {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  async function flush() {
    timer = null;
    if (pending.size === 0) return;
    const ids = [...pending];
    pending = new Set();
    try {
      await sql`update api_keys set last_used_at = now() where id = any(${ids})`;
      // OAuth clients (verify with an access token) are marked by their row id too.
      await sql`update oauth_clients set last_used_at = now() where id = any(${ids})`;
    } catch (error) {
      console.error(`Could not record key use: ${describeError(error)}`);
    }
  }

  return {
    mark(id: string) {
      pending.add(id);
      if (!timer) {
        timer = setTimeout(flush, intervalMs);
        timer.unref();
      }
    },
    flush,
  };
}
