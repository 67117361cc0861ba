import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@/db/connect";
import { accessRequests, apps, users } from "@/db/schema";
import { auditCsvStream } from "@/lib/audit/csv-stream";
import { auditFiltersSchema } from "@/lib/audit/queries";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture, must } from "@/tests/fixtures";
import { expectQueueMatchesOracle, insertRequests, type QueueView, requestSubmitter, userActor as user } from "@/tests/queue-oracle";
import { parseQueueParams } from "./queue-params";
import { queueRowsQuery } from "./queue-query";

// Adversarial review of ec06c77 (mayHoldMatches: a search past the cap, sorted by requester or app,
// passes over the people and apps that cannot hold a match) and 1fa0ebe (pools with a deadline start
// with statement_timeout at twice it). Every view is compared with tests/queue-oracle.ts (the raw
// tables in JavaScript), read forward and back, walked (cap 3, and the real cap when past it).

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner(); // owns every demo product
const admin = await f.user("admin");
const otherOwner = await f.user("owner");
const standard = f.plan("Standard");
const payments = f.product("payments");
const invoices = f.product("invoices");
const weather = f.product("weather");
const other = await f.newProduct("other-api", "Other API", otherOwner.id);
const wild = await f.newProduct("wild", "Wild%Card_Prod\\uct", otherOwner.id);

const person = async (email: string, name: string | null) => {
  const [row] = await t.db.insert(users).values({ email, name, role: "consumer" }).returning();
  return must(row);
};
const carol = await person("mmm-carol@example.com", "Carol Q");
const dave = await person("mmm-dave@example.com", "Dave");
const nameless = await person("mmm-nameless@example.com", null);
const pct = await person("mmm-pct@example.com", "100% Real_Name");
const under = await person("mmm-under_score@example.com", "Under Score");

const submit = requestSubmitter(t.db, standard.id);
await submit(dave.id, [payments.id], "alpha", "Testing oldreason-dave");
await submit(carol.id, [payments.id, other.id], "beta", "Need 50% off");
await submit(dave.id, [other.id], "gam_ma", "snake_case reason");
await submit(nameless.id, [wild.id], "nameless app", "back\\slash here");
await submit(pct.id, [invoices.id], "Z%app", "plain");
await submit(carol.id, [other.id], "appmatchonly", "x");
await submit(under.id, [other.id, wild.id], "Under app", "OLDREASON upper");
// A soft-deleted app's requests: still in the queue, still searched by the app's name.
const gone = await submit(carol.id, [invoices.id], "deletedappname", "gone");
await t.db.update(apps).set({ deletedAt: new Date() }).where(eq(apps.id, gone.appId));
const statuses = ["approved", "denied", "pending", "cancelled"] as const;
const mine = await t.db.select({ id: accessRequests.id }).from(accessRequests);
for (const [i, r] of mine.entries()) await t.db.update(accessRequests).set({ status: statuses[i % 4] }).where(eq(accessRequests.id, r.id));

// 1,100 newer requests of 20 people sorting before and after the named ones ("aaa-", "zzz-"), so the
// newest 1,000 reasons (REASON_SAMPLE) hold none of the fixture's: "oldreason" is found from the
// reasons' side (sideOf), and "bulk filler" (1,100 reasons) is many.
await t.db.execute(sql`insert into users (id, email, name, role)
  select 'bulk-' || g, case when g <= 10 then 'aaa' else 'zzz' end || '-bulk-' || g || '@example.com', 'Bulk person ' || g, 'consumer'::user_role
  from generate_series(1, 20) g`);
await t.db.execute(sql`insert into apps (id, owner_id, name) select 'bulk-app-' || g, 'bulk-' || g, 'Bulk app ' || g from generate_series(1, 20) g`);
// (Request ids are UUIDs: a cursor naming anything else reads as none, queue-cursor.ts.)
await insertRequests(
  t.db,
  standard.id,
  sql`select 'bulk-' || (1 + i % 20) as requester_id, 'bulk-app-' || (1 + i % 20) as app_id,
      (array['pending','approved','denied','cancelled'])[1 + i % 4] as status, 'Bulk filler' as reason, now() as starts_at,
      now() + (i * interval '1 second') as created_at
    from generate_series(1, 1100) i`,
);
await t.db.execute(sql`insert into access_request_products (request_id, product_id)
  select id, ${weather.id} from access_requests where reason = 'Bulk filler'`);

const viewers: [string, Actor][] = [
  ["admin", user(admin.id, "admin")],
  ["owner of the demo products", user(owner.id, "owner")],
  ["owner of Other API", user(otherOwner.id, "owner")],
  [
    "key: product_viewer Other API",
    { kind: "apiKey", id: randomUUID(), keyId: "k", createdById: admin.id, name: "Automation", grants: [{ role: "product_viewer", products: [other.id] }], role: "consumer", disabled: false },
  ],
];

// Texts past the cap of 3 (walked) whose matches come from one side only, or with LIKE's wildcards.
const texts = [
  "oldreason", // old reasons only (sideOf reasons), any case
  "OLDREASON",
  "Other API", // a product owned by someone else
  "other",
  "wild%card", // a product's name with a wildcard
  "card_prod",
  "prod\\uct",
  "%",
  "_",
  "\\",
  "50%",
  "appmatchonly", // an app's name only
  "deletedappname",
  "Z%a",
  "gam_ma",
  "nameless", // an email only (no name)
  "Real_Name",
  "100%",
  "under_score",
  "carol q",
  "slash",
];

const check = (actor: Actor, v: QueueView, cap: number | undefined, label: string, size?: number) =>
  expectQueueMatchesOracle(t.db, t.db, actor, v, label, { cap, size });

describe("adversary: mayHoldMatches, sorted by requester or app, walked past the cap", () => {
  for (const [who, actor] of viewers) {
    it(`${who}: every text, both sorts and directions, paged both ways`, { timeout: 600_000 }, async () => {
      for (const q of texts) {
        for (const sort of ["requester", "app"]) {
          for (const dir of ["asc", "desc"]) await check(actor, { q, status: "all", sort, dir }, 3, who);
        }
      }
    });
  }

  it("texts past the real cap: many reasons, many parts of a product, people and apps named by the thousand", { timeout: 600_000 }, async () => {
    for (const [who, actor] of [must(viewers[0]), must(viewers[1])]) {
      for (const q of ["bulk filler", "weather", "bulk app 1", "aaa-bulk", "zzz-bulk-2"]) {
        for (const sort of ["requester", "app"]) {
          for (const dir of ["asc", "desc"]) await check(actor, { q, status: "all", sort, dir }, undefined, who, 100);
        }
      }
      for (const q of ["oldreason", "other", "slash"]) await check(actor, { q, status: "pending", sort: "requester", dir: "desc" }, 1, who, 1);
    }
  });
});

describe("adversary: the walk passes over those who cannot hold a match", () => {
  // The needle: one person sorting last, 6 requests. A search naming them, past the cap, sorted by
  // requester, passes over everyone before them (mayHoldMatches), until one recent request's reason
  // names the text too: REASON_SAMPLE's test (a text in one of the newest 1,000 reasons narrows
  // nothing) then walks every person before them whole, as before ec06c77. At 1M requests, "scale-3"
  // (ec06c77's own case: 15.2 s -> 13 ms) is back to the full walk once a new request says "scale-3".
  it("one recent reason holding the text does not turn the narrowing off (it read everyone's requests on ec06c77)", { timeout: 120_000 }, async () => {
    await t.db.execute(sql`insert into users (id, email, name, role) values ('needle-r', 'zzzz-needle@example.com', 'Needle', 'consumer'::user_role)`);
    await t.db.execute(sql`insert into apps (id, owner_id, name) values ('needle-app', 'needle-r', 'Needle app')`);
    await insertRequests(
      t.db,
      standard.id,
      sql`select 'needle-r' as requester_id, 'needle-app' as app_id, 'pending' as status, 'quokka migration' as reason, now() as starts_at,
          now() + interval '1 day' + (i * interval '1 second') as created_at
        from generate_series(1, 6) i`,
    );
    // The walk's statement alone (queueRowsQuery, as queuePage runs it past the cap, with the queue
    // pool's settings), and how many requests it read person by person: EXPLAIN ANALYZE's rows of the
    // lateral's scan of a requester's requests (returned or filtered out), over all its loops.
    const walked = async (q: string, found = 6) => {
      const query = queueRowsQuery(t.db, user(admin.id, "admin"), parseQueueParams({ status: "all", q, sort: "requester", size: "10" }), { after: null, before: null });
      const rows = await t.sql.begin(async (tx) => {
        await tx.unsafe("set local max_parallel_workers_per_gather = 0; set local enable_sort = off; set local enable_seqscan = off");
        return tx.unsafe(query.toSQL().sql, query.toSQL().params as never[]);
      });
      // The needle's six (and nothing else: the raw rows, in no order).
      expect(rows.length).toBe(found);
      const [plan] = await t.sql.begin(async (tx) => {
        await tx.unsafe("set local max_parallel_workers_per_gather = 0; set local enable_sort = off; set local enable_seqscan = off");
        return tx.unsafe(`explain (analyze, format json) ${query.toSQL().sql}`, query.toSQL().params as never[]);
      });
      type Node = { "Relation Name"?: string; "Index Name"?: string; "Actual Rows"?: number; "Rows Removed by Filter"?: number; "Actual Loops"?: number; Plans?: Node[] };
      const sum = (n: Node): number =>
        (n["Relation Name"] === "access_requests" && (n["Index Name"] ?? "").includes("requester")
          ? ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0)) * (n["Actual Loops"] ?? 0)
          : 0) + (n.Plans ?? []).reduce((a, c) => a + sum(c), 0);
      return Math.round(sum(must((plan as unknown as { "QUERY PLAN": { Plan: Node }[] })["QUERY PLAN"][0]).Plan));
    };
    // Found by their requester's email, the walk narrowed by the people named reads the needle's 6.
    const before = await walked("zzzz-needle");
    // Someone early in email order mentions the needle in the reason of a request, the newest of all:
    // it is among the newest 1,000 reasons (REASON_SAMPLE), but one is not many (REASON_MANY), and the
    // walk still narrows (it narrowed nothing on ec06c77).
    await insertRequests(
      t.db,
      standard.id,
      sql`select 'bulk-1' as requester_id, 'bulk-app-1' as app_id, 'pending' as status, 'Same as zzzz-needle' as reason, now() as starts_at,
          now() + interval '2 days' as created_at`,
    );
    const after = await walked("zzzz-needle", 7);
    // Narrowed by the reasons' side (one request holds it) it would read aaa-bulk-1's 56 more; it reads
    // the requests of all 31 people before the needle (at 1M requests, the walk before ec06c77: 15 s).
    expect(after, JSON.stringify({ before, after })).toBeLessThan(before + 100);
  });
});

describe("adversary: statement_timeout on a pool with a deadline (1fa0ebe)", () => {
  // The audit log's CSV export (app/api/admin/audit/export/route.ts) streams from a server-side cursor
  // on db/client's pool, whose deadline leaves cursors alone (db/deadline.ts: "its reader bounds it").
  // postgres.js sends no Sync between the cursor's batches, so PostgreSQL's statement_timeout runs from
  // the first batch to the last: an export that takes longer than twice PORTICO_DB_TIMEOUT_MS (a slow
  // download, or simply a large log) is cut off by the server.
  it("an audit CSV export read over more than 2.4 s on a 1,200 ms pool still arrives whole", { timeout: 60_000 }, async () => {
    await t.db.execute(sql`insert into audit_events (actor_type, action, subject_type, subject_id)
      select 'system', 'test.bulk', 'request', 'r-' || g from generate_series(1, 2500) g`);
    const [{ n: events } = { n: 0 }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_events`);
    const pool = createDb(t.url, { max: 2, timeoutMs: 1200 }); // as db/client.ts (PORTICO_DB_TIMEOUT_MS=1200)
    try {
      const stream = auditCsvStream(pool.db, pool.sql, user(admin.id, "admin"), auditFiltersSchema.parse({}));
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      let text = "";
      let first = true;
      let error: unknown;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value);
          // A reader slower than the server: the browser's download, behind a slow link.
          if (first) {
            first = false;
            await new Promise((r) => setTimeout(r, 3000));
          }
        }
      } catch (e) {
        error = e;
      }
      expect(String(error ?? "no error")).toBe("no error");
      // The header, then one line per event.
      expect(text.trim().split("\n").length - 1).toBe(events);
    } finally {
      await pool.sql.end({ timeout: 5 });
    }
  });
});


