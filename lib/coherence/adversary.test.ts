import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { isolatedDatabase } from "@/tests/database";
import { type ChangeListener, listenForChanges } from "./changes";
import { expireCatalogueOnChange } from "./next-tags";

/** Attacks on the change notifications (issue 17): each test failed before its fix. */
const t = await isolatedDatabase();

const listeners: ChangeListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});
function listen(opts?: Parameters<typeof listenForChanges>[1]) {
  const l = listenForChanges(t.url, { log: () => {}, ...opts });
  listeners.push(l);
  return l;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Number.POSITIVE_INFINITY;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("catalogue pages on another instance", () => {
  it("a render that read the catalogue before a change and was stored after it was heard is expired too", async () => {
    const l = listen();
    expect(await l.ready()).toBe(true);
    const stop = expireCatalogueOnChange(l, { settleMs: 300 });
    // The same module Next checks a cached page against (lib/coherence/next-tags.ts).
    const load = createRequire(path.join(process.cwd(), "package.json"));
    const { areTagsExpired } = load("next/dist/server/lib/incremental-cache/tags-manifest.external.js") as {
      areTagsExpired: (tags: string[], timestamp: number) => boolean;
    };
    try {
      await sleep(50);
      const heard: string[] = [];
      l.subscribe((change) => heard.push(change));
      // A render starts and reads the products; meanwhile another instance renames one …
      await t.sql`update products set name = name where false`;
      expect(await until(() => heard.includes("products"), 2000)).toBeLessThan(1000);
      await sleep(5);
      // … and the render, with the old name, is stored now: after the change was heard.
      const storedAt = Date.now();
      expect(await until(() => areTagsExpired([CATALOGUE_TAG], storedAt), 2000), "the stale render is dropped").toBeLessThan(1000);
      expect(areTagsExpired(["_N_T_/layout"], storedAt)).toBe(true);
    } finally {
      stop();
    }
  });
});
