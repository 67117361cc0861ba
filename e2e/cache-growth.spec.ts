import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "./keys-helpers";

// Unknown product addresses and free-text searches must not create cache entries: otherwise anyone
// can fill the disk (every unknown slug stored a 404 page for a year, every ?q= a data-cache entry).
// E2E_CACHE_PROBES sets how many of each to send (the measure is 10,000).
const PROBES = Number(process.env.E2E_CACHE_PROBES ?? 2000);
const CONCURRENCY = 8;
// All of .next: Next 16 keeps ISR pages in .next/server/route-cache and data in .next/cache/fetch-cache
// (on the old code, 300 unknown slugs added 10.8 MB of 404 pages to route-cache alone).
const CACHE_DIRS = [".next"];

function sizeOf(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(p) : fs.statSync(p).size;
  }
  return total;
}
const cacheSize = () => CACHE_DIRS.reduce((sum, d) => sum + sizeOf(d), 0);

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

test(`${PROBES} unknown product slugs and ${PROBES} searches leave the cache's size unchanged (within 1 MB)`, async () => {
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
  console.log(`cache growth: ${PROBES} slugs + ${PROBES} searches in ${seconds} s; ${CACHE_DIRS.join(" + ")}: ${before} → ${after} bytes (${after - before >= 0 ? "+" : ""}${after - before})`);
  expect(after - before).toBeLessThan(1024 * 1024);
});
