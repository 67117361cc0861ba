import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "./keys-helpers";

// Unknown product addresses and free-text searches must not create cache entries: otherwise anyone
// can fill the disk (every unknown slug stored a 404 page for a year, every ?q= a data-cache entry).
// E2E_CACHE_PROBES sets how many of each to send (the measure is 10,000). Files are counted
// as well as bytes: a search's data-cache entry is 100-1,000 bytes, so 2,000 leaked ones could stay
// under the 1 MB bound, while 500 of them are 500 files. So 500 of each by default (2,000 took 57 s).
const PROBES = Number(process.env.E2E_CACHE_PROBES ?? 500);
// Entries the warm-up's pages may still write or replace while the probes run (none in practice).
const FILE_SLACK = 10;
const CONCURRENCY = 8;
// All of .next: Next 16 keeps ISR pages in .next/server/route-cache and data in .next/cache/fetch-cache
// (on the old code, 300 unknown slugs added 10.8 MB of 404 pages to route-cache alone).
const CACHE_DIRS = [".next"];

/** Every file under the cache directories, with its size. */
function cacheFiles(): Map<string, number> {
  const files = new Map<string, number>();
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.set(p, fs.statSync(p).size);
    }
  };
  for (const dir of CACHE_DIRS) walk(dir);
  return files;
}
const bytesOf = (files: Map<string, number>) => [...files.values()].reduce((a, b) => a + b, 0);

/** The cache once the warm-up's own writes have landed: two reads 500 ms apart agree (at most 10 s). */
async function settledCache() {
  let last = cacheFiles();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cacheFiles();
    if (now.size === last.size && bytesOf(now) === bytesOf(last)) return now;
    last = now;
  }
  return last;
}

async function hitAll(paths: string[], expectStatus: number) {
  let next = 0;
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < paths.length) {
        const p = paths[next++];
        const res = await fetch(`${BASE_URL}${p}`);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  expect(Object.fromEntries(statuses)).toEqual({ [expectStatus]: paths.length });
}

const random = () => randomBytes(6).toString("hex");

test(`${PROBES} unknown product slugs and ${PROBES} searches leave the cache's size unchanged (within 1 MB and ${FILE_SLACK} files)`, async () => {
  test.setTimeout(30_000 + PROBES * 60);
  // Warm the finite views first so their first (legitimate) cache entries are not counted.
  for (const p of ["/", "/apis", "/apis?tag=finance", "/apis/payments"]) await (await fetch(`${BASE_URL}${p}`)).arrayBuffer();
  const before = await settledCache();
  const started = Date.now();

  await hitAll(Array.from({ length: PROBES }, () => `/apis/no-such-${random()}`), 404);
  const searches = Array.from({ length: PROBES }, (_, i) => (i % 10 === 0 ? `/apis?tag=${random()}` : `/apis?q=${random()}`));
  await hitAll(searches, 200);

  // Next writes cache entries after answering: give it a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const after = cacheFiles();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const [beforeBytes, afterBytes] = [bytesOf(before), bytesOf(after)];
  const bytes = afterBytes - beforeBytes;
  console.log(
    `cache growth: ${PROBES} slugs + ${PROBES} searches in ${seconds} s; ${CACHE_DIRS.join(" + ")}: ${beforeBytes} → ${afterBytes} bytes (${bytes >= 0 ? "+" : ""}${bytes}), ${before.size} → ${after.size} files`,
  );
  expect(bytes).toBeLessThan(1024 * 1024);
  const added = [...after.keys()].filter((f) => !before.has(f));
  expect(added.length, `files added to the cache (first 5: ${added.slice(0, 5).join(", ")})`).toBeLessThanOrEqual(FILE_SLACK);
});
