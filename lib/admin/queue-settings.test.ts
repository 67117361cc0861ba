import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS, type Queryable } from "@/db/connect";
import { isolatedDatabase } from "@/tests/database";
import { serial } from "./queue-query";

// Behind a transaction pooler (or on any pool not started with the settings) the queue's statements
// set their planner settings in a transaction; on the queue's own pool its connections start with
// them. Both must plan alike: sorting priced out unless a statement asks for it (indexOrder: false).
const t = await isolatedDatabase();
const queuePool = createDb(t.url, { max: 2, settings: INDEX_ORDER_SETTINGS });
afterAll(() => queuePool.sql.end());

const settingsSeen = (db: Queryable, opts?: { indexOrder?: boolean }) =>
  serial(
    db,
    async (q) =>
      (await q.execute<Record<string, string>>(sql`select ${sql.join(Object.keys(INDEX_ORDER_SETTINGS).map((name) => sql`current_setting(${name}) as ${sql.identifier(name)}`), sql`, `)}`))[0],
    opts,
  );

describe("the queue's planner settings", () => {
  it("are the queue pool's for a statement that does not ask for sorting, on either kind of pool", async () => {
    for (const db of [t.db, queuePool.db]) {
      for (const opts of [undefined, { indexOrder: true }]) {
        expect(await settingsSeen(db, opts), JSON.stringify(opts)).toEqual(INDEX_ORDER_SETTINGS);
      }
    }
  });

  it("allow sorting, and only that, for a page sorted from its matches (indexOrder: false), on either kind of pool", async () => {
    for (const db of [t.db, queuePool.db]) {
      expect(await settingsSeen(db, { indexOrder: false })).toEqual({ ...INDEX_ORDER_SETTINGS, enable_sort: "on" });
    }
  });
});
