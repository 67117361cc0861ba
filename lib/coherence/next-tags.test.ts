import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import type { Change, ChangeListener } from "./changes";
import { expireCatalogueOnChange } from "./next-tags";

/** The map Next itself reads (tags-manifest.external.js): what next-tags.ts writes must land there. */
const nextManifest = createRequire(path.join(process.cwd(), "package.json"))("next/dist/server/lib/incremental-cache/tags-manifest.external.js") as {
  tagsManifest: Map<string, { stale?: number; expired?: number }>;
  areTagsExpired: (tags: string[], timestamp: number) => boolean;
};

function fakeListener() {
  const subscribers = new Set<(change: Change) => void>();
  const listener: ChangeListener = {
    live: () => true,
    generation: () => 0,
    subscribe: (fn) => (subscribers.add(fn), () => subscribers.delete(fn)),
    ready: async () => true,
    close: async () => {},
  };
  return { listener, emit: (change: Change) => subscribers.forEach((fn) => fn(change)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("catalogue tags on another instance's change", () => {
  it("expires what Next cached before the change, and again once renders in flight have been stored", async () => {
    const { listener, emit } = fakeListener();
    const stop = expireCatalogueOnChange(listener, [60]);
    try {
      const cachedBefore = Date.now() - 10;
      emit("apps");
      expect(nextManifest.areTagsExpired([CATALOGUE_TAG], cachedBefore), "not a catalogue table").toBe(false);

      emit("products");
      await sleep(5);
      expect(nextManifest.areTagsExpired([CATALOGUE_TAG], cachedBefore)).toBe(true);
      expect(nextManifest.areTagsExpired(["_N_T_/layout"], cachedBefore)).toBe(true);

      // A page that read the old rows before the commit, stored just after the notification.
      const storedInFlight = Date.now();
      await sleep(5);
      expect(nextManifest.areTagsExpired([CATALOGUE_TAG], storedInFlight)).toBe(false);
      await sleep(100);
      expect(nextManifest.areTagsExpired([CATALOGUE_TAG], storedInFlight), "expired again after the delay").toBe(true);

      // What is cached after that stays.
      const storedAfter = Date.now() + 1;
      await sleep(100);
      expect(nextManifest.areTagsExpired([CATALOGUE_TAG], storedAfter)).toBe(false);
    } finally {
      stop();
    }
  });
});
