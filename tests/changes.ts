import { afterAll } from "vitest";
import { type ChangeListener, type ChangeListenerOptions, listenForChanges } from "@/lib/coherence/changes";

/** Change listeners on `url`, quiet, all closed after the file's tests. */
export function changeListeners(url: string) {
  const listeners: ChangeListener[] = [];
  afterAll(async () => {
    await Promise.all(listeners.map((l) => l.close()));
  });
  return (opts?: ChangeListenerOptions) => {
    const l = listenForChanges(url, { log: () => {}, ...opts });
    listeners.push(l);
    return l;
  };
}

/** Milliseconds until `check` held, polled every 5 ms; Infinity if it did not within `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Number.POSITIVE_INFINITY;
}
