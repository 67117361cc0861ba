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

/** Bytes and files under a directory. */
function sizeOf(dir: string): { bytes: number; files: number } {
  const total = { bytes: 0, files: 0 };
  if (!fs.existsSync(dir)) return total;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = sizeOf(p);
      total.bytes += inner.bytes;
      total.files += inner.files;
    } else {
      total.bytes += fs.statSync(p).size;
      total.files += 1;
    }
  }
  return total;
}
const cacheSize = () =>
  CACHE_DIRS.map(sizeOf).reduce((sum, d) => ({ bytes: sum.bytes + d.bytes, files: sum.files + d.files }), { bytes: 0, files: 0 });

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
  await new Promise((r) => setTimeout(r, 1000));
  const before = cacheSize();
  const started = Date.now();

  await hitAll(Array.from({ length: PROBES }, () => `/apis/no-such-${random()}`), 404);
  const searches = Array.from({ length: PROBES }, (_, i) => (i % 10 === 0 ? `/apis?tag=${random()}` : `/apis?q=${random()}`));
  await hitAll(searches, 200);

  // Next writes cache entries after answering: give it a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const after = cacheSize();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const bytes = after.bytes - before.bytes;
  console.log(
    `cache growth: ${PROBES} slugs + ${PROBES} searches in ${seconds} s; ${CACHE_DIRS.join(" + ")}: ${before.bytes} → ${after.bytes} bytes (${bytes >= 0 ? "+" : ""}${bytes}), ${before.files} → ${after.files} files`,
  );
  expect(bytes).toBeLessThan(1024 * 1024);
  expect(after.files - before.files).toBeLessThanOrEqual(FILE_SLACK);
});
