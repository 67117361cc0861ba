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
  // One read at a time, and at most one more waiting: a flood of key changes (each one a
  // notification asking for a refresh) costs a few reads, not one each. A read unanswered for
  // `intervalMs` (a connection gone silent) no longer holds the others back; whichever read began
  // last has the last word, so one that began before an import cannot answer after a newer one.
  let begun = 0;
  let applied = 0;
  let reading: { done: Promise<void>; since: number } | undefined;
  let waiting: Promise<void> | undefined;

  async function read() {
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

  /** Resolves after a read that began after the call (unless that read never answers). */
  function refresh(): Promise<void> {
    if (!reading || performance.now() - reading.since > intervalMs) {
      const done: Promise<void> = read().finally(() => {
        if (reading?.done === done) reading = undefined;
      });
      reading = { done, since: performance.now() };
      return done;
    }
    waiting ??= reading.done.then(() => {
      waiting = undefined;
      return refresh();
    });
    return waiting;
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
