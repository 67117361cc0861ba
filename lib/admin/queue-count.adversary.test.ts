import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS, type Queryable } from "@/db/connect";
import { type RequestStatus, requestStatus } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture, must } from "@/tests/fixtures";
import { requestSubmitter } from "@/tests/queue-oracle";
import { parseQueueParams, SORTABLE } from "./queue-params";
import { countQueue, queryQueue } from "./queue-query";

// Adversarial review of 115be22 (an owner's unfiltered view counted from their products' parts:
// countOwnersView, productsOwnedBy) and bac1596 (the reason's trigram index without a pending list:
// drizzle/0032). The contract: countQueue says what the same viewer's rows say, capped.

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const queuePool = createDb(t.url, { max: 2, settings: INDEX_ORDER_SETTINGS });
// Plain connections for the concurrency probe (no deadline wrapper).
const side = createDb(t.url, { max: 3 });
afterAll(async () => {
  await queuePool.sql.end({ timeout: 5 });
  await side.sql.end({ timeout: 5 });
});

const STATUSES = [...requestStatus.enumValues, "all"] as const;
const standard = f.plan("Standard");
// One request made the app's way, for a real plan snapshot; everything else is written with SQL.
const seedUser = await f.user();
const seeded = await requestSubmitter(t.db, standard.id)(seedUser.id, [f.product("payments").id], "seed", "seed");

type Person = { id: string; appId: string };
async function person(role: "consumer" | "owner" | "admin" = "consumer"): Promise<Person> {
  const u = await f.user(role);
  const app = await f.app(u.id, `app of ${u.email}`);
  return { id: u.id, appId: app.id };
}
let slugs = 0;
async function product(ownerId: string, status: "published" | "draft" | "archived" = "published") {
  slugs++;
  const p = await f.newProduct(`adv-count-${slugs}`, `Adversary ${slugs}`, ownerId);
  if (status !== "published") await t.sql`update products set status = ${status} where id = ${p.id}`;
  return p.id;
}
/** A request written with SQL (the triggers give its parts its status). */
async function request(who: Person, productIds: string[], status: RequestStatus = "pending", extendsRequestId: string | null = null) {
  const [row] = await t.sql<{ id: string }[]>`insert into access_requests (id, requester_id, app_id, plan_id, status, reason, plan, extends_request_id)
    values (gen_random_uuid()::text, ${who.id}, ${who.appId}, ${standard.id}, ${status}, 'adversary', (select plan from access_requests where id = ${seeded.id}), ${extendsRequestId})
    returning id`;
  const id = must(row).id;
  for (const productId of productIds) await t.sql`insert into access_request_products (request_id, product_id) values (${id}, ${productId})`;
  return id;
}
/** `n` requests of these products at once. */
async function requests(who: Person, productIds: string[], n: number, status: RequestStatus = "pending") {
  const rows = await t.sql<{ id: string }[]>`insert into access_requests (id, requester_id, app_id, plan_id, status, reason, plan)
    select gen_random_uuid()::text, ${who.id}, ${who.appId}, ${standard.id}, ${status}, 'adversary bulk', (select plan from access_requests where id = ${seeded.id})
    from generate_series(1, ${n}) returning id`;
  const ids = rows.map((r) => r.id);
  await t.sql`insert into access_request_products (request_id, product_id)
    select r, p from unnest(${ids}::text[]) r cross join unnest(${productIds}::text[]) p`;
  return ids;
}

const user = (p: { id: string }, role: "owner" | "admin" | "consumer", disabled = false): Actor => ({ kind: "user", id: p.id, role, disabled });

/** The ids the viewer's rows show in this view, every page read (size 100). */
async function rowIds(db: Queryable, viewer: Actor, status: string) {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await queryQueue(db, viewer, parseQueueParams({ status, size: "100", after }));
    ids.push(...page.rows.map((r) => r.id));
    if (!page.cursors.next) return ids;
    after = page.cursors.next;
  }
}

/**
 * A part of request `r` (product `added`) inserted by a transaction at `insertLevel` while a
 * SERIALIZABLE transaction, whose snapshot predates the insert, changes `r`'s status to denied.
 */
async function raceSerializableStatusChange(r: string, added: string, insertLevel: "read committed" | "serializable") {
  return side.sql
    .begin("isolation level serializable", async (tx) => {
      await tx`select 1`; // the transaction's snapshot
      await side.sql.begin(`isolation level ${insertLevel}`, (other) => other`insert into access_request_products (request_id, product_id) values (${r}, ${added})`);
      await tx`update access_requests set status = 'denied' where id = ${r}`;
    })
    .then(
      () => "committed",
      (e: { code?: string }) => `failed ${e.code ?? String(e)}`,
    );
}
const partStatuses = async (r: string) => {
  const rows = await t.sql<{ part: string; request: string }[]>`select p.status::text as part, r.status::text as request
    from access_request_products p join access_requests r on r.id = p.request_id where p.request_id = ${r} order by p.product_id`;
  return rows;
};

type Via = [string, (viewer: Actor, status: string, cap?: number) => Promise<{ total: number; capped: boolean }>];
const count = (db: Queryable) => (viewer: Actor, status: string, cap?: number) => countQueue(db, viewer, parseQueueParams({ status }), cap === undefined ? {} : { cap });
const VIA: Via[] = [
  ["t.db", count(t.db)],
  ["queue pool", count(queuePool.db)],
  ["a transaction", (viewer, status, cap) => t.db.transaction((tx) => count(tx)(viewer, status, cap))],
];

/** Every cap from 1 to one past the rows (or the boundaries, for a long view), on every db. */
function capsFor(n: number) {
  if (n <= 16) return Array.from({ length: n + 1 }, (_, i) => i + 1);
  return [...new Set([1, 2, 3, n - 2, n - 1, n, n + 1])].filter((c) => c >= 1);
}
async function expectCountAgrees(label: string, viewer: Actor, statuses: readonly string[] = STATUSES) {
  const seen: Record<string, number> = {};
  for (const status of statuses) {
    const ids = await rowIds(t.db, viewer, status);
    expect(new Set(ids).size, `${label} ${status}: rows are distinct`).toBe(ids.length);
    const n = ids.length;
    seen[status] = n;
    for (const [via, counted] of VIA) {
      for (const cap of capsFor(n)) {
        expect(await counted(viewer, status, cap), `${label}, ${status}, cap ${cap}, ${via}`).toEqual({ total: Math.min(n, cap), capped: n > cap });
      }
    }
  }
  return seen;
}

// ---- The shapes around one owner (o) and a co-owner (o2) -----------------------------------------
const o = await person("owner");
const o2 = await person("owner");
const u1 = await person();
const u2 = await person();
const admin = await person("admin");
const consumerOwner = await person(); // a consumer that products.owner_id points at
const adminOwner = await person("admin"); // an admin that owns a product

const A = await product(o.id);
const B = await product(o.id);
const C = await product(o.id, "archived");
const D = await product(o.id, "draft");
await product(o.id); // E: no parts
const F = await product(o2.id); // moves to o after its request
const G = await product(o.id); // moves to o2 after its request
const Q = await product(o2.id);
const K = await product(consumerOwner.id);
const L = await product(adminOwner.id);

await request(u1, [A]);
await request(u2, [A]);
await request(u1, [A, B]); // two of o's products: one request
await request(u2, [A, Q]); // shared with o2
await request(u1, [Q]); // o2's alone
await request(u2, [C]); // archived product
const onDraft = await request(u1, [D], "approved"); // draft product
await request(o, [B]); // o's own
await request(o2, [A], "denied");
await request(u1, [A, B], "approved");
const available = await request(u2, [B], "available");
await request(u1, [A], "cancelled");
await request(u2, [A, Q], "revoked");
await request(u1, [B], "expired");
await request(u2, [A, B], "completed");
await request(u1, [B], "pending", available); // an extension, with a part of o's
await request(u2, [Q], "pending", onDraft); // an extension of o's request, with o2's part alone
await request(u1, [F]);
await request(u2, [G]);
await request(u1, [K]);
await request(u2, [L]);
await request(u1, []); // no parts at all
await t.sql`update products set owner_id = ${o.id} where id = ${F}`;
await t.sql`update products set owner_id = ${o2.id} where id = ${G}`;

// ---- Caps: one owner's products overlapping, per product and together ---------------------------
const co = await person("owner");
const [X, Y, Z] = [await product(co.id), await product(co.id), await product(co.id)];
await requests(u1, [X, Y, Z], 2); // pending: X 4, Y 3, Z 3, together 6
await requests(u1, [X], 2);
await requests(u2, [Y], 1);
await requests(u2, [Z], 1);
await requests(u1, [Y, Z], 3, "denied"); // denied: Y 3, Z 3, together 3
await requests(u2, [X], 5, "approved");

describe("an owner's unfiltered count against the rows they see (adversarial)", () => {
  it("matches the rows for the owner: two of their products, shared, their own, extensions, archived, draft, moved products", async () => {
    const seen = await expectCountAgrees("o", user(o, "owner"));
    expect(seen).toEqual({ pending: 8, approved: 2, available: 1, denied: 1, cancelled: 1, revoked: 1, expired: 1, completed: 1, all: 16 });
  });

  it("counts the same whatever the view's sort and direction (the count ignores them; the rows walk other indexes)", async () => {
    const viewer = user(o, "owner");
    for (const sort of SORTABLE) {
      for (const dir of ["asc", "desc"]) {
        for (const status of ["pending", "all"]) {
          const ids: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await queryQueue(t.db, viewer, parseQueueParams({ status, sort, dir, size: "10", after }));
            ids.push(...page.rows.map((r) => r.id));
            if (!page.cursors.next) break;
            after = page.cursors.next;
          }
          const counted = await countQueue(queuePool.db, viewer, parseQueueParams({ status, sort, dir }));
          expect({ rows: ids.length, distinct: new Set(ids).size, counted: counted.total }, `${sort} ${dir} ${status}`).toEqual({ rows: counted.total, distinct: counted.total, counted: counted.total });
        }
      }
    }
  });

  it("matches the rows for the co-owner (a request shared, a product moved to them, one moved away)", async () => {
    const seen = await expectCountAgrees("o2", user(o2, "owner"));
    expect(seen).toMatchObject({ pending: 4, revoked: 1, all: 5 });
  });

  it("matches the rows at every cap when the owner's products overlap (per product vs together)", async () => {
    const seen = await expectCountAgrees("co", user(co, "owner"));
    expect(seen).toMatchObject({ pending: 6, denied: 3, approved: 5, all: 14 });
  });

  it("matches the rows for everyone else: disabled owner, admins, consumers (one owning a product), API keys", async () => {
    const viewers: [string, Actor, Record<string, number> | null][] = [
      ["o disabled", user(o, "owner", true), { pending: 0, all: 0 }],
      ["a consumer who owns a product", user(consumerOwner, "consumer"), { pending: 0, all: 0 }],
      ["the consumer, given role owner", user(consumerOwner, "owner"), { pending: 1, all: 1 }],
      ["an admin who owns a product", user(adminOwner, "admin"), null],
      ["admin", user(admin, "admin"), null],
      ["a requester", user(u1, "consumer"), { pending: 0, all: 0 }],
      ["an owner of nothing", user(u2, "owner"), { pending: 0, all: 0 }],
      ["an API key reading A", apiKeyActor(admin.id, [{ role: "product_viewer", products: [A] }]), null],
      ["an API key with role owner", { ...apiKeyActor(admin.id, [{ role: "product_viewer", products: [Q] }]), role: "owner" }, { pending: 3 }],
    ];
    for (const [label, viewer, expected] of viewers) {
      const seen = await expectCountAgrees(label, viewer, ["pending", "denied", "all"]);
      if (expected) expect(seen, label).toMatchObject(expected);
    }
  });

  it("says 1,000 and then 1,000+ at the default cap: one product at 1,000, then one request more elsewhere", async () => {
    const big = await person("owner");
    const [P1, P2] = [await product(big.id), await product(big.id)];
    const viewer = user(big, "owner");
    await requests(u1, [P1], 1_000);
    for (const [via, counted] of VIA) expect(await counted(viewer, "pending"), via).toEqual({ total: 1_000, capped: false });
    const one = await request(u2, [P2]);
    for (const [via, counted] of VIA) expect(await counted(viewer, "pending"), via).toEqual({ total: 1_000, capped: true });
    expect((await rowIds(t.db, viewer, "pending")).length).toBe(1_001);
    // The same request on both products: 1,000 again.
    await t.sql`delete from access_request_products where request_id = ${one}`;
    const [first] = await t.sql<{ request_id: string }[]>`select request_id from access_request_products where product_id = ${P1} limit 1`;
    await t.sql`insert into access_request_products (request_id, product_id) values (${must(first).request_id}, ${P2})`;
    for (const [via, counted] of VIA) expect(await counted(viewer, "pending"), via).toEqual({ total: 1_000, capped: false });
    expect((await rowIds(t.db, viewer, "pending")).length).toBe(1_000);
  });

  it("keeps agreeing when a request's status and its parts change in one transaction or one statement", async () => {
    const mo = await person("owner");
    const [M1, M2, M3] = [await product(mo.id), await product(mo.id), await product(mo.id)];
    const viewer = user(mo, "owner");
    const r1 = await request(u1, [M1]);
    const r2 = await request(u1, [M1]);
    const r3 = await request(u2, [M2]);
    const r4 = await request(u2, [M3]);
    // Status first, then a new part, in one transaction.
    await t.sql.begin(async (tx) => {
      await tx`update access_requests set status = 'denied' where id = ${r1}`;
      await tx`insert into access_request_products (request_id, product_id) values (${r1}, ${M2})`;
    });
    // A new part first, then the status.
    await t.sql.begin(async (tx) => {
      await tx`insert into access_request_products (request_id, product_id) values (${r2}, ${M3})`;
      await tx`update access_requests set status = 'approved' where id = ${r2}`;
    });
    // One statement: a part inserted in a CTE, the status changed by the statement.
    await t.sql`with added as (insert into access_request_products (request_id, product_id) values (${r3}, ${M1}) returning 1)
      update access_requests set status = 'cancelled' where id = ${r3}`;
    // A part written with a status of its own (the app never does: the trigger gives it the request's).
    await t.sql`update access_request_products set status = 'pending' where request_id = ${r2}`;
    // A part moved to another request takes that request's status.
    await t.sql`update access_request_products set request_id = ${r4} where request_id = ${r1} and product_id = ${M2}`;
    const [diverged] = await t.sql<{ n: number }[]>`select count(*)::int as n from access_request_products p join access_requests r on r.id = p.request_id where p.status <> r.status`;
    expect(must(diverged).n).toBe(0);
    const seen = await expectCountAgrees("mo", viewer);
    expect(seen).toMatchObject({ pending: 1, denied: 1, approved: 1, cancelled: 1, all: 4 });
    // Counted inside the transaction that changes a status: the same as its rows there.
    const inside: Record<string, { rows: number; counted: number }> = {};
    const ended = await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`update access_requests set status = 'expired' where id = ${r4}`);
        for (const status of ["pending", "expired", "all"]) {
          inside[status] = { rows: (await rowIds(tx, viewer, status)).length, counted: (await countQueue(tx, viewer, parseQueueParams({ status }))).total };
        }
        tx.rollback();
      })
      .catch((e: unknown) => e);
    expect(String(ended)).toMatch(/Rollback/);
    expect(inside).toEqual({ pending: { rows: 0, counted: 0 }, expired: { rows: 1, counted: 1 }, all: { rows: 4, counted: 4 } });
  });

  it("refuses a SERIALIZABLE status change beside a part added at READ COMMITTED, and the count still says what the rows show", async () => {
    // The status-to-parts trigger updates the parts its statement's snapshot sees. In a SERIALIZABLE
    // transaction that snapshot is the transaction's: a part committed since by a READ COMMITTED insert
    // (which SSI does not track) kept the status before, and the owner's count, read from the parts,
    // counted a request their rows did not show. drizzle/0033 refuses the change instead.
    const so = await person("owner");
    const [S1, S2] = [await product(so.id), await product(so.id)];
    const viewer = user(so, "owner");
    const r = await request(u1, [S1]);
    const outcome = await raceSerializableStatusChange(r, S2, "read committed");
    const parts = await partStatuses(r);
    expect({ outcome, parts: parts.map((p) => `${p.part}/${p.request}`) }).toEqual({ outcome: "failed 0A000", parts: ["pending/pending", "pending/pending"] });
    const rows = (await rowIds(t.db, viewer, "pending")).length;
    expect(rows).toBe(1);
    expect(await countQueue(t.db, viewer, parseQueueParams({ status: "pending" }))).toEqual({ total: 1, capped: false });
    await expectCountAgrees("so (serializable beside read committed)", viewer, ["pending", "denied"]);
  });

  it("refuses the same race when both transactions are SERIALIZABLE", async () => {
    const so = await person("owner");
    const [S1, S2] = [await product(so.id), await product(so.id)];
    const r = await request(u1, [S1]);
    const outcome = await raceSerializableStatusChange(r, S2, "serializable");
    const parts = await partStatuses(r);
    // Refused by the trigger (drizzle/0033) before SSI would fail either; the parts keep the request's status.
    expect({ outcome, consistent: parts.every((p) => p.part === p.request) }).toEqual({ outcome: "failed 0A000", consistent: true });
    await expectCountAgrees("so (both serializable)", user(so, "owner"), ["pending", "denied"]);
  });
});

describe("drizzle/0032: the reason's trigram index without a pending list (adversarial)", () => {
  it("is declared without fastupdate, valid, and has nothing pending", async () => {
    const [idx] = await t.sql<{ reloptions: string[] | null; valid: boolean }[]>`
      select c.reloptions, i.indisvalid as valid from pg_class c join pg_index i on i.indexrelid = c.oid
      where c.relname = 'access_requests_reason_trgm_idx'`;
    expect(must(idx)).toEqual({ reloptions: ["fastupdate=false"], valid: true });
    // Requests written after the migration (the fixtures above) went straight into the index.
    const [pending] = await t.sql<{ pages: string }[]>`select gin_clean_pending_list('access_requests_reason_trgm_idx'::regclass)::text as pages`;
    expect(must(pending).pages).toBe("0");
  });

  it("moves the entries already pending into the index when replayed on an index that had them, and finds them after", async () => {
    await t.sql`create table adv_gin (reason text) with (autovacuum_enabled = false)`;
    await t.sql`create index adv_gin_idx on adv_gin using gin (reason gin_trgm_ops) with (fastupdate = on)`;
    await t.sql`insert into adv_gin select 'before ' || g || ' ' || md5(g::text) from generate_series(1, 3000) g`;
    // The migration's two statements, in one transaction as the migrator runs them.
    const moved = await t.sql.begin(async (tx) => {
      await tx`alter index adv_gin_idx set (fastupdate = false)`;
      const [row] = await tx<{ pages: string }[]>`select gin_clean_pending_list('adv_gin_idx'::regclass)::text as pages`;
      return Number(must(row).pages);
    });
    expect(moved).toBeGreaterThan(0);
    await t.sql`insert into adv_gin select 'after ' || g || ' ' || md5(g::text) from generate_series(1, 500) g`;
    const [again] = await t.sql<{ pages: string }[]>`select gin_clean_pending_list('adv_gin_idx'::regclass)::text as pages`;
    expect(must(again).pages).toBe("0");
    const found = await t.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      const [row] = await tx<{ before: number; after: number }[]>`select
        (select count(*)::int from adv_gin where reason like '%before 1234 %') as before,
        (select count(*)::int from adv_gin where reason like '%after 321 %') as after`;
      return row;
    });
    expect(found).toEqual({ before: 1, after: 1 });
    await t.sql`drop table adv_gin`;
  });

  it("observed: ALTER INDEX ... SET (fastupdate) takes an AccessExclusiveLock on the index, and reads of access_requests wait for it", async () => {
    // Observation: what the in-place change holds while the migration transaction runs.
    const held = await t.sql
      .begin(async (tx) => {
        await tx`alter index access_requests_reason_trgm_idx set (fastupdate = false)`;
        const locks = await tx<{ relname: string; mode: string }[]>`select c.relname, l.mode from pg_locks l join pg_class c on c.oid = l.relation
          where l.pid = pg_backend_pid() and c.relname in ('access_requests', 'access_requests_reason_trgm_idx') order by 1, 2`;
        throw Object.assign(new Error("rollback"), { locks });
      })
      .catch((e: { locks?: { relname: string; mode: string }[] }) => e.locks ?? []);
    expect(held.map((l) => `${l.relname}: ${l.mode}`)).toEqual(["access_requests_reason_trgm_idx: AccessExclusiveLock"]);
    // So a read of access_requests waits while the migration's transaction holds it (the planner
    // opens every index of the table): observed, not a contract.
    const blocked = await side.sql
      .begin(async (tx) => {
        await tx`alter index access_requests_reason_trgm_idx set (fastupdate = false)`;
        const read = await t.sql
          .begin(async (other) => {
            await other`set local lock_timeout = '200ms'`;
            await other`select count(*) from access_requests where id = 'none'`;
          })
          .then(
            () => "read",
            (e: { code?: string }) => `waited: ${e.code ?? String(e)}`,
          );
        throw Object.assign(new Error("rollback"), { read });
      })
      .catch((e: { read?: string }) => e.read);
    expect(blocked).toBe("waited: 55P03");
  });
});
