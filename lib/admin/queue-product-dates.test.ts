import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { expectQueueMatchesOracle, insertRequests, userActor } from "@/tests/queue-oracle";
import { partsDisagreeing } from "@/tests/requests";

// A product filter with a date filter reads the product's parts of those days: each part carries its
// request's date (drizzle/0040), tested beside the product (lib/auth/permissions.ts, partMade). At 1M
// requests an owner's requests of one product over five days took 63–71 ms of SQL, hashing the
// product's 111,035 parts; 10–13 ms from the (product, created at) index. The same rows and counts as
// the requests' own dates say, at each day's first and last instant, on every page both ways.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const admin = await f.user("admin");
const standard = f.plan("Standard");
const weather = f.product("weather");
const payments = f.product("payments");
const asOwner = userActor(owner.id, "owner");
const asAdmin = userActor(admin.id, "admin");
const consumer = await f.user();
const app = await f.app(consumer.id);

// Ten days, 24 requests a day: one at each day's first instant, one at its last microsecond, the
// rest an hour apart; every third of Payments, the others of Weather, every fifth of both; a quarter
// denied.
await insertRequests(
  t.db,
  standard.id,
  sql`select ${consumer.id} as requester_id, ${app.id} as app_id, case when (d * 24 + h) % 4 = 0 then 'denied' else 'pending' end as status,
      'r-' || (d * 24 + h) as reason, '2031-03-01'::timestamptz as starts_at,
      '2031-01-01'::timestamptz + d * interval '1 day' + case when h = 23 then interval '1 day' - interval '1 microsecond' else h * interval '1 hour' end as created_at
    from generate_series(0, 9) d cross join generate_series(0, 23) h`,
);
await t.db.execute(sql`insert into access_request_products (request_id, product_id)
  select id, case when (substring(reason from 3)::int) % 3 = 0 then ${payments.id} else ${weather.id} end from access_requests where requester_id = ${consumer.id}`);
await t.db.execute(sql`insert into access_request_products (request_id, product_id)
  select id, case when (substring(reason from 3)::int) % 3 = 0 then ${weather.id} else ${payments.id} end from access_requests
  where requester_id = ${consumer.id} and (substring(reason from 3)::int) % 5 = 0`);

describe("a product filter, or a product's name searched, with a date filter", () => {
  it("copies each request's date to its parts, and follows a request's date changed by hand", async () => {
    expect(await partsDisagreeing(t.db)).toEqual([]);
    await t.db.execute(sql`update access_requests set created_at = created_at + interval '3 days' where reason = 'r-30'`);
    expect(await partsDisagreeing(t.db)).toEqual([]);
    // A part written with another date gets its request's back.
    await t.db.execute(sql`update access_request_products set created_at = '2000-01-01' where request_id = (select id from access_requests where reason = 'r-31')`);
    expect(await partsDisagreeing(t.db)).toEqual([]);
  });

  const days: Record<string, string>[] = [
    { from: "2031-01-03", to: "2031-01-03" },
    { from: "2031-01-02", to: "2031-01-05" },
    { from: "2031-01-08" },
    { to: "2031-01-02" },
    { from: "2031-01-11" },
  ];
  for (const [label, actor] of [["owner", asOwner], ["admin", asAdmin]] as const) {
    for (const status of ["all", "pending", "denied"]) {
      it(`shows the product's requests of those days, every page, as their dates say (${label}, ${status})`, async () => {
        for (const product of [weather.id, payments.id]) {
          for (const view of days) {
            for (const sort of ["createdAt", "app"]) {
              // Under the count's cap the page is sorted from its matches; past it (cap 5) walked.
              for (const cap of [1_000, 5]) {
                await expectQueueMatchesOracle(t.db, t.db, actor, { status, product, sort, ...view }, label, { cap, size: 10 });
              }
            }
          }
        }
      });
      // The search's product side reads the named products' parts of those days the same way.
      it(`finds the requests of the products a search names in those days, every page (${label}, ${status})`, async () => {
        for (const q of ["weather", "Payments"]) {
          for (const view of days) {
            for (const cap of [1_000, 5]) {
              await expectQueueMatchesOracle(t.db, t.db, actor, { status, q, ...view }, label, { cap, size: 10 });
            }
          }
        }
      });
    }
  }
});
