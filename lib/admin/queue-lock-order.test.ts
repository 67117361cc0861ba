import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS, type Queryable } from "@/db/connect";
import * as schema from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { requestSubmitter } from "@/tests/queue-oracle";
import { parseQueueParams } from "./queue-params";
import { countQueue, queryQueue, queuePage } from "./queue-query";

// Every reader of both tables locks access_requests before access_request_products (drizzle/0035,
// 0036): a migration that locks the requests and then the parts (0036 drops an index of each) waits
// for a reader that holds the parts, and the reader, waiting for the requests, would wait for the
// migration. PostgreSQL locks a statement's tables as it reads its WITH list and then its FROM, so
// which arm of a search comes first decides (armCtes). Found in an adversarial review (2026-12-07):
// an owner's search listed an arm reading the parts alone first.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const asOwner: Actor = { kind: "user", id: owner.id, role: "owner", disabled: false };
const consumer = await f.user();
await requestSubmitter(t.db, f.plan("Standard").id)(consumer.id, [f.product("payments").id], "App", "Lock order");

const READER = "queue-lock-order-reader";
const queuePool = createDb(t.url, { max: 1, settings: { ...INDEX_ORDER_SETTINGS, application_name: READER } });
const plain = postgres(t.url, { max: 1, onnotice: () => {}, connection: { application_name: READER } });
const plainDb = drizzle(plain, { schema, casing: "snake_case" });
afterAll(() => Promise.all([queuePool.sql.end(), plain.end()]));

const views: [string, (db: Queryable) => Promise<unknown>][] = [
  ["an owner's search, counted", (db) => countQueue(db, asOwner, parseQueueParams({ q: "consumer" }))],
  ["an owner's search across all statuses, counted", (db) => countQueue(db, asOwner, parseQueueParams({ status: "all", q: "consumer" }))],
  ["an owner's search, its page", (db) => queuePage(db, asOwner, parseQueueParams({ q: "consumer" }))],
  ["an owner's search sorted by requester, its page", (db) => queuePage(db, asOwner, parseQueueParams({ q: "consumer", sort: "requester" }))],
  ["an owner's search sorted by app, its page", (db) => queuePage(db, asOwner, parseQueueParams({ q: "consumer", sort: "app" }))],
  ["an owner's search naming a product, its page and count", (db) => queryQueue(db, asOwner, parseQueueParams({ q: "payments" }))],
  ["an owner's view filtered by requester, its page and count", (db) => queryQueue(db, asOwner, parseQueueParams({ requester: "consumer" }))],
];

describe("the queue's statements lock the requests before their parts", () => {
  for (const [pool, db] of [["the queue's pool", queuePool.db], ["a plain pool (a transaction)", plainDb]] as const) {
    it.each(views)(`%s (${pool})`, async (_, read) => {
      // Warm: the pool's settings checked and its statements prepared before the requests are locked.
      await read(db);
      const migration = await t.sql.reserve();
      let reading: Promise<unknown> = Promise.resolve(null);
      try {
        await migration`begin`;
        await migration`lock table access_requests in access exclusive mode`;
        reading = read(db).then(
          () => null,
          (e: unknown) => e,
        );
        // The reader comes to wait on the requests.
        let locks: { relname: string; granted: boolean }[] = [];
        for (let i = 0; i < 100; i++) {
          locks = await t.sql<{ relname: string; granted: boolean }[]>`
            select c.relname, l.granted from pg_locks l join pg_class c on c.oid = l.relation
            join pg_stat_activity a on a.pid = l.pid
            where a.application_name = ${READER} and c.relname in ('access_requests', 'access_request_products')`;
          if (locks.some((l) => l.relname === "access_requests" && !l.granted)) break;
          await new Promise((ok) => setTimeout(ok, 20));
        }
        expect(locks.filter((l) => l.relname === "access_requests" && !l.granted)).toHaveLength(1);
        // …holding nothing on the parts meanwhile.
        expect(locks.filter((l) => l.relname === "access_request_products")).toEqual([]);
      } finally {
        await migration`rollback`;
        migration.release();
      }
      expect(await reading).toBeNull();
    });
  }
});
