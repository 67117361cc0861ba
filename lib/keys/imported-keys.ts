import type { Sql } from "postgres";
import { describeError } from "@/lib/describe-error";

/**
 * Whether any imported key exists (Admin → Keys → Import): only then does verify look up keys that
 * are not in Portico's format, so garbage keeps being refused without touching the database. Read
 * in the background (at once, then every `intervalMs`); an import is seen within that interval.
 */
export function importedKeysFlag(sql: Sql, intervalMs = 5000) {
  let present = false;
  let timer: NodeJS.Timeout | null = null;
  // Reads may overlap (the interval, a notification): the answer of the latest one begun wins, so
  // a read that began before an import and answers late does not turn the flag back off.
  let begun = 0;
  let applied = 0;

  async function refresh() {
    const mine = ++begun;
    try {
      const [row] = await sql<{ present: boolean }[]>`select exists(select 1 from api_keys where imported_at is not null) as present`;
      if (mine < applied) return;
      applied = mine;
      present = row?.present ?? false;
    } catch (error) {
      console.error(`Could not check for imported keys: ${describeError(error)}`);
    }
  }

  function start() {
    if (timer) return;
    void refresh();
    timer = setInterval(() => void refresh(), intervalMs);
    timer.unref();
  }

  return {
    /** Starts the background read on first use. */
    get: () => {
      start();
      return present;
    },
    refresh,
    stop: () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
