import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { insertRequests, rowsReadDuring } from "@/tests/queue-oracle";
import { parseQueueParams } from "./queue-params";
import { queuePage } from "./queue-query";

// A search past the count's cap, sorted by requester or app, walks the people (or apps) in that order.
// At 1M requests, "scale-3" sorted by requester passed some 2,200 people and all their requests
// before the first it names: 15 s (adversarial review, 2026-12-07). The walk now passes over a
// person or app that cannot hold a match without reading its requests (mayHoldMatches).
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const admin = await f.user("admin");
const standard = f.plan("Standard");
const asAdmin: Actor = { kind: "user", id: admin.id, role: "admin", disabled: false };
const FILLERS = 150;

// People and apps that sort before the one the search names, three requests each; the needle's six
// (more than the cap of 3 below, so the page is walked in key order rather than sorted from its matches).
// The text has no three letters in a row, so reasons are not searched (searchesReasons).
await t.db.execute(sql`insert into users (id, email, name, role)
  select 'walk-fill-' || g, 'aaa-fill-' || g || '@example.com', 'Filler ' || g, 'consumer'::user_role from generate_series(1, ${FILLERS}) g
  union all select 'walk-needle', 'zzz-q-z-x@needle.test', null, 'consumer'::user_role`);
await t.db.execute(sql`insert into apps (id, owner_id, name)
  select 'walk-app-' || g, 'walk-fill-' || g, 'Filler app ' || g from generate_series(1, ${FILLERS}) g
  union all select 'walk-app-needle', 'walk-needle', 'Zed app'`);
await insertRequests(
  t.db,
  standard.id,
  sql`select who.person as requester_id, who.app as app_id, 'pending' as status, 'Testing' as reason, now() as starts_at,
      now() - (i * interval '1 minute') as created_at
    from (select 'walk-fill-' || g as person, 'walk-app-' || g as app, 3 as n from generate_series(1, ${FILLERS}) g
          union all select 'walk-needle', 'walk-app-needle', 6) who
    cross join generate_series(1, who.n) i`,
);

/** A page of the queue, and how many requests PostgreSQL read (in order or by index) to answer it. */
async function pageRead(params: Record<string, string>, cap: number) {
  return t.db.transaction(async (tx) => {
    const { result, read } = await rowsReadDuring(tx, "access_requests", () => queuePage(tx, asAdmin, parseQueueParams(params), { cap }));
    return { rows: result.rows, read };
  });
}

async function walked(sort: "requester" | "app") {
  return pageRead({ status: "all", q: "q-z-x", sort, size: "10" }, 3);
}

describe("a search past the cap sorted by requester or app", () => {
  for (const sort of ["requester", "app"] as const) {
    it(`reads the requests of the ${sort === "requester" ? "people" : "apps"} it names, not of every one before them (${sort})`, async () => {
      const { rows, read } = await walked(sort);
      expect(rows.map((r) => r.requesterEmail)).toEqual(Array(6).fill("zzz-q-z-x@needle.test"));
      // Without mayHoldMatches the walk reads the fillers' 450 requests to find none of them matches.
      expect(read).toBeLessThan(60);
    });
  }
});

// A date filter (when requests were made) sorted by Requested for, past the cap: the walk along the
// starts-at index begins where the filter's requests can start (startsWithin). At 1M requests one
// day's requests took 0.7–1.5 s, the walk starting at the index's beginning (or end).
await insertRequests(
  t.db,
  standard.id,
  sql`select 'walk-fill-' || (1 + d % ${FILLERS}) as requester_id, 'walk-app-' || (1 + d % ${FILLERS}) as app_id, 'pending' as status,
      'Testing' as reason, '2030-01-01'::timestamptz + d * interval '1 day' + i * interval '1 hour' as starts_at,
      '2030-01-01'::timestamptz + d * interval '1 day' + i * interval '1 hour' as created_at
    from generate_series(0, 59) d cross join generate_series(0, 9) i`,
);

async function datedView(view: Record<string, string>, cap: number) {
  const { rows, read } = await pageRead({ status: "all", sort: "requestedFor", size: "10", ...view }, cap);
  return { ids: rows.map((r) => r.id), read };
}

describe("a date filter sorted by Requested for, past the cap", () => {
  const views: [string, Record<string, string>][] = [
    ["the last day, ascending", { from: "2030-03-01", to: "2030-03-01" }],
    ["from the last day on, ascending", { from: "2030-03-01" }],
    ["until the first day, descending", { to: "2030-01-01", dir: "desc" }],
  ];
  for (const [label, view] of views) {
    it(`walks only where the filter's requests start: ${label}`, async () => {
      const walked = await datedView(view, 3);
      // Under a cap above the matches, the page is sorted from them instead: the same rows.
      const sorted = await datedView(view, 1_000);
      expect(walked.ids).toHaveLength(10);
      expect(walked.ids).toEqual(sorted.ids);
      // Without startsWithin the walk reads the 1,000-odd requests that start before (or after) them.
      expect(walked.read).toBeLessThan(100);
    });
  }

  // Last: it widens every later walk. A request that starts long before it was made (-90 days: an
  // import, a hand edit) and one made for a start far ahead (+151 days) are the first rows.
  it("keeps a request that starts long before or after it was made", async () => {
    await t.db.execute(sql`update access_requests set starts_at = '2029-12-01' where id = (
      select id from access_requests where created_at = '2030-03-01 05:00:00+00' limit 1)`);
    await t.db.execute(sql`update access_requests set starts_at = '2030-06-01' where id = (
      select id from access_requests where created_at = '2030-01-01 05:00:00+00' limit 1)`);
    const [early] = await t.db.execute<{ id: string }>(sql`select id from access_requests where starts_at = '2029-12-01'`);
    const [late] = await t.db.execute<{ id: string }>(sql`select id from access_requests where starts_at = '2030-06-01'`);
    for (const [, view] of views) {
      const walked = await datedView(view, 3);
      expect(walked.ids).toEqual((await datedView(view, 1_000)).ids);
      expect(walked.ids[0]).toBe(view.dir === "desc" ? late?.id : early?.id);
    }
  });
});

// The same date filter sorted by requester or app, past the cap: the walk passes each person (or app)
// in order and reads their requests made that day on the (requester, id, created_at) or (app, id,
// created_at) index, the day tested in the index. On (requester, id) alone it read every request of
// each one to test its date: at 1M requests one day sorted by requester took 20 ms of SQL (430
// requests read per person), 9 ms with the day in the index.
describe("a date filter sorted by requester or app, past the cap", () => {
  // The 9th of January is filler 9's ten requests, who sorts after some 140 others ("aaa-fill-89").
  const day = { from: "2030-01-09", to: "2030-01-09" };
  for (const sort of ["requester", "app"] as const) {
    it(`reads the day's requests of each ${sort === "requester" ? "person" : "app"} it passes, not all of them (${sort})`, async () => {
      const walked = await datedView({ ...day, sort }, 3);
      const sorted = await datedView({ ...day, sort }, 1_000);
      expect(walked.ids).toHaveLength(10);
      expect(walked.ids).toEqual(sorted.ids);
      // On (requester, id) alone the walk read some 1,070 requests of the people (or apps) before filler 9's.
      expect(walked.read).toBeLessThan(100);
    });
  }
});
