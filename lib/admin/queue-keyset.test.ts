import { eq, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, INDEX_ORDER_SETTINGS } from "@/db/connect";
import { products } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { watchStatements } from "@/tests/queue-oracle";
import { SORTABLE, parseQueueParams } from "./queue-params";
import { queryQueue, queuePage, walksInKeyOrder } from "./queue-query";

// Keyset paging must give every row exactly once in every order, even when many rows share a sort
// key (same status, same microsecond, same requester, app or plan): the id breaks the ties.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const admin = await f.user("admin");
const asAdmin = { kind: "user" as const, id: admin.id, role: "admin" as const, disabled: false };

const people = [await f.user(), await f.user(), await f.user()];
for (const [i, person] of people.entries()) {
  for (const slug of ["payments", "geocoding", "weather"]) {
    await addToCart(t.db, person.id, {
      productId: f.product(slug).id,
      planId: f.plan("Standard").id,
    });
    await submitRequest(
      t.db,
      { userId: person.id, baseUrl: "http://x" },
      { newAppName: `App ${slug}`, reason: `${slug} for ${i}` },
      {},
    );
  }
}
// Copy the nine requests until there are 63, with few distinct keys: three timestamps one
// microsecond apart (a JavaScript Date would merge them), two start times, four statuses.
const copies = await t.db.execute<{ id: string }>(sql`
  with src as (select * from access_requests),
  made as (
    insert into access_requests
    select (jsonb_populate_record(null::access_requests, to_jsonb(src) || jsonb_build_object('id', gen_random_uuid()))).*
    from src, generate_series(1, 6)
    returning id
  ) select id from made`);
expect(copies.length).toBe(54);
await t.db.execute(sql`
  update access_requests set
    created_at = '2026-03-01 10:00:00.000001+00'::timestamptz + ((('x' || substr(md5(id::text), 1, 2))::bit(8)::int % 3) * interval '1 microsecond'),
    starts_at = '2026-04-01 00:00:00+00'::timestamptz + ((('x' || substr(md5(id::text), 3, 2))::bit(8)::int % 2) * interval '1 day'),
    status = (array['pending','approved','denied','cancelled'])[1 + ('x' || substr(md5(id::text), 5, 2))::bit(8)::int % 4]::request_status`);
const total = 63;

// The page's own pool (db/client.ts: indexOrderDb): settings from the connection's start, no transaction.
const preset = createDb(t.url, { max: 2, settings: INDEX_ORDER_SETTINGS });
afterAll(() => preset.sql.end());

type Viewer = { kind: "user"; id: string; role: "owner" | "admin"; disabled: boolean };

async function walk(sort: string, dir: string, size: number, db: typeof t.db = t.db, viewer: Viewer = asAdmin) {
  const seen: string[] = [];
  let after: string | undefined;
  const pages: { ids: string[]; previous: string | null }[] = [];
  for (let i = 0; i < 20; i++) {
    const page = await queryQueue(
      db,
      viewer,
      parseQueueParams({ status: "all", sort, dir, size: String(size), after }),
    );
    seen.push(...page.rows.map((r) => r.id));
    pages.push({ ids: page.rows.map((r) => r.id), previous: page.cursors.previous });
    if (!page.cursors.next) return { seen, pages };
    after = page.cursors.next;
  }
  throw new Error("paging did not end");
}

/**
 * The copies above have no products yet: each gets weather or payments, by its id (once: a later
 * call finds them given). A new owner for weather (the caller hands it over and back), and the
 * requests with a weather part.
 */
async function weatherForItsOwner() {
  const weather = f.product("weather");
  await t.sql`
    insert into access_request_products (request_id, product_id)
    select r.id, case when ('x' || substr(md5(r.id), 7, 2))::bit(8)::int % 3 = 0 then ${weather.id} else ${f.product("payments").id} end
    from access_requests r where not exists (select 1 from access_request_products p where p.request_id = r.id)`;
  const weatherOwner = await f.user("owner");
  const asWeatherOwner: Viewer = { kind: "user", id: weatherOwner.id, role: "owner", disabled: false };
  const mine = new Set(
    (await t.sql<{ id: string }[]>`select request_id as id from access_request_products where product_id = ${weather.id}`).map((r) => r.id),
  );
  return { weather, weatherOwner, asWeatherOwner, mine };
}

describe("queue keyset paging", () => {
  it("walks every page of every sort, both ways, and gets each request exactly once", async () => {
    for (const sort of SORTABLE) {
      for (const dir of ["asc", "desc"]) {
        const { seen, pages } = await walk(sort, dir, 10);
        const label = `${sort} ${dir}`;
        expect(new Set(seen).size, label).toBe(seen.length);
        expect(seen.length, label).toBe(total);
        expect(pages.length, label).toBe(7);
        expect(pages[0]?.previous, label).toBeNull();
        // Previous from each page gives exactly the page before it.
        for (let i = 1; i < pages.length; i++) {
          const back = await queryQueue(
            t.db,
            asAdmin,
            parseQueueParams({
              status: "all",
              sort,
              dir,
              size: "10",
              before: pages[i]?.previous ?? undefined,
            }),
          );
          expect(
            back.rows.map((r) => r.id),
            `${label} back from page ${i + 1}`,
          ).toEqual(pages[i - 1]?.ids);
          expect(back.cursors.previous === null, `${label} page ${i} is first`).toBe(i === 1);
        }
      }
    }
  });

  it("an owner's pages, in every sort both ways, are the admin's less the requests for others' products; back gives the page before", async () => {
    // Weather goes to an owner of its own, who sees the requests for it among the same ties.
    const { weather, weatherOwner, asWeatherOwner, mine } = await weatherForItsOwner();
    expect(mine.size).toBeGreaterThan(10);
    expect(mine.size).toBeLessThan(total - 10);
    await t.db.update(products).set({ ownerId: weatherOwner.id }).where(eq(products.id, weather.id));
    try {
      for (const sort of SORTABLE) {
        for (const dir of ["asc", "desc"]) {
          const label = `${sort} ${dir}`;
          const everything = (await walk(sort, dir, 10)).seen;
          const { seen, pages } = await walk(sort, dir, 10, t.db, asWeatherOwner);
          expect(seen, label).toEqual(everything.filter((id) => mine.has(id)));
          for (let i = 1; i < pages.length; i++) {
            const back = await queryQueue(t.db, asWeatherOwner, parseQueueParams({ status: "all", sort, dir, size: "10", before: pages[i]?.previous ?? undefined }));
            expect(back.rows.map((r) => r.id), `${label} back from page ${i + 1}`).toEqual(pages[i - 1]?.ids);
          }
        }
      }
    } finally {
      await t.db.update(products).set({ ownerId: weather.ownerId }).where(eq(products.id, weather.id));
    }
  });

  it("orders ties by id and keeps the order the first page shows", async () => {
    const { seen } = await walk("status", "asc", 25);
    const all = await queryQueue(
      t.db,
      asAdmin,
      parseQueueParams({ status: "all", sort: "status", size: "100" }),
    );
    expect(seen).toEqual(all.rows.map((r) => r.id));
  });

  it("the queue's own pool (settings at connection start, no transaction) pages exactly as the transaction does", async () => {
    const [settings] = await preset.sql<{ sort: string; workers: string }[]>`
      select current_setting('enable_sort') as sort, current_setting('max_parallel_workers_per_gather') as workers`;
    expect(settings).toEqual({ sort: "off", workers: "0" });
    for (const sort of SORTABLE) {
      for (const dir of ["asc", "desc"]) {
        expect((await walk(sort, dir, 10, preset.db)).seen, `${sort} ${dir}`).toEqual((await walk(sort, dir, 10)).seen);
      }
    }
    const counted = await queryQueue(preset.db, asAdmin, parseQueueParams({ status: "all" }));
    expect({ total: counted.total, capped: counted.capped }).toEqual({ total, capped: false });
  });

  it("a filtered view reads its page and its count in one statement on the queue's pool, and pages as the main pool does", async () => {
    // Every statement the queue runs in a transaction on the pool, as text.
    const statements: string[] = [];
    const dialect = new PgDialect({ casing: "snake_case" });
    const watched = new Proxy(preset.db, {
      get(target, prop) {
        if (prop !== "transaction") return Reflect.get(target, prop);
        return (fn: (tx: unknown) => Promise<unknown>) =>
          target.transaction((tx) =>
            fn(
              new Proxy(tx, {
                get(txTarget, txProp) {
                  if (txProp !== "execute") return Reflect.get(txTarget, txProp);
                  return (q: SQL) => {
                    statements.push(dialect.sqlToQuery(q).sql);
                    return txTarget.execute(q);
                  };
                },
              }),
            ),
          );
      },
    });
    const requester = people[1]?.email ?? "";
    // Sorted by status: in requested-at order a requester filter is read person by person (below).
    const filtered = parseQueueParams({ status: "all", requester, sort: "status", size: "10" });
    const page = await queuePage(watched, asAdmin, filtered);
    expect(statements).toEqual([]);
    // Person by person, with the count beside the page: no transaction either.
    const byPerson = await queuePage(watched, asAdmin, parseQueueParams({ status: "all", requester }));
    expect(statements).toEqual([]);
    expect(byPerson.count).toEqual({ total: 21, capped: false });
    expect(byPerson.counting).toBeUndefined();
    // The page (countLater) does not wait for that count: it is handed over to stream in, the same.
    const later = await queuePage(watched, asAdmin, parseQueueParams({ status: "all", requester }), { countLater: true });
    expect(later.count).toBeNull();
    expect(later.rows.map((r) => r.id)).toEqual(byPerson.rows.map((r) => r.id));
    await expect(later.counting).resolves.toEqual({ total: 21, capped: false });
    expect(page.rows.length).toBe(10);
    expect(page.rows.every((r) => r.requesterEmail === requester)).toBe(true);
    // Person 1's three requests, each copied six times: 21, counted with the page.
    expect(page.count).toEqual({ total: 21, capped: false });
    // The same pages as the main pool's transaction gives.
    let after: string | undefined;
    for (let i = 0; i < 6; i++) {
      const p = parseQueueParams({ status: "all", requester, sort: "status", size: "10", ...(after ? { after } : {}) });
      const [ours, main] = [await queuePage(watched, asAdmin, p), await queuePage(t.db, asAdmin, p)];
      expect(ours.rows.map((r) => r.id)).toEqual(main.rows.map((r) => r.id));
      if (!ours.cursors.next) break;
      after = ours.cursors.next;
    }
    // A filter that leaves more than the count's cap (most of the table) is walked in key order; one
    // whose count failed is sorted; an unfiltered view is always walked.
    expect(walksInKeyOrder(filtered, { capped: true })).toBe(true);
    expect(walksInKeyOrder(filtered, null)).toBe(false);
    expect(walksInKeyOrder(filtered, { capped: false })).toBe(false);
    expect(walksInKeyOrder(parseQueueParams({ status: "all" }), { capped: false })).toBe(true);
    // Unfiltered, the pool's own settings serve: no transaction.
    statements.length = 0;
    await queuePage(watched, asAdmin, parseQueueParams({ status: "all" }));
    expect(statements).toEqual([]);
  });

  it("a filtered view gives the same pages, both ways, whether its matches are all counted (sorted from them) or past the cap (walked in key order)", async () => {
    // Two filters: the requester (joins users) and a search (joins users and apps).
    const filters = [{ requester: people[0]?.email ?? "" }, { q: "App" }];
    for (const filter of filters) {
      for (const sort of SORTABLE) {
        for (const dir of ["asc", "desc"]) {
          const label = `${JSON.stringify(filter)} ${sort} ${dir}`;
          const walkWith = async (cap: number) => {
            const pages: { ids: string[]; previous: string | null }[] = [];
            let after: string | undefined;
            let count: unknown;
            for (let i = 0; i < 20; i++) {
              const page = await queuePage(preset.db, asAdmin, parseQueueParams({ status: "all", ...filter, sort, dir, size: "10", after }), { cap });
              count ??= page.count;
              pages.push({ ids: page.rows.map((r) => r.id), previous: page.cursors.previous });
              if (!page.cursors.next) return { pages, count };
              after = page.cursors.next;
            }
            throw new Error(`${label}: paging did not end`);
          };
          const counted = await walkWith(1000);
          const walked = await walkWith(3);
          expect(walked.pages.map((p) => p.ids), label).toEqual(counted.pages.map((p) => p.ids));
          expect(walked.count, label).toEqual({ total: 3, capped: true });
          const seen = counted.pages.flatMap((p) => p.ids);
          expect(new Set(seen).size, label).toBe(seen.length);
          expect(counted.count, label).toEqual({ total: seen.length, capped: false });
          // Back from each page, on the sorted path, gives the page before it.
          for (let i = 1; i < counted.pages.length; i++) {
            const back = await queuePage(
              preset.db,
              asAdmin,
              parseQueueParams({ status: "all", ...filter, sort, dir, size: "10", before: counted.pages[i]?.previous ?? undefined }),
            );
            expect(back.rows.map((r) => r.id), `${label} back from page ${i + 1}`).toEqual(counted.pages[i - 1]?.ids);
          }
        }
      }
    }
    // Past the last match: an empty page, counted on its own.
    const none = await queuePage(preset.db, asAdmin, parseQueueParams({ status: "all", requester: "no-such-person" }));
    expect(none.rows).toEqual([]);
    expect(none.count).toEqual({ total: 0, capped: false });
  });
  it("a view last seen past the cap is walked at once with its count beside, and read from its matches again once back under it", async () => {
    // Each statement's CTEs, in `reads` (`matches`: read from the matches; `page` alone: walked), in
    // or out of a transaction.
    const read = (reads: string[][]) => watchStatements(preset.db, reads);
    // Twelve requests whose reason holds a word no other does; a search for it, and a cap of 3.
    const marked = await t.db.execute<{ id: string; reason: string }>(sql`
      select id, reason from access_requests order by id limit 12`);
    const mark = (ids: string[]) =>
      t.db.execute(sql`update access_requests set reason = reason || ' zanzibar' where id in ${ids}`);
    const unmark = () =>
      Promise.all(marked.map((r) => t.db.execute(sql`update access_requests set reason = ${r.reason} where id = ${r.id}`)));
    await mark(marked.map((r) => r.id));
    try {
      for (const sort of ["createdAt", "app"]) {
        const view = parseQueueParams({ status: "all", q: "ZANZIBAR", sort, size: "10" });
        const readOnce = async (opts: { countLater?: boolean } = {}) => {
          const reads: string[][] = [];
          const page = await queuePage(read(reads), asAdmin, view, { cap: 3, ...opts });
          return { page, ids: page.rows.map((r) => r.id), reads: reads.flat() };
        };
        // First: counted from the matches (past the cap), then walked.
        const first = await readOnce();
        expect(first.reads, sort).toContain("matches");
        expect(first.page.count, sort).toEqual({ total: 3, capped: true });
        // Then walked at once, the same page; the count comes beside, or streams in (countLater).
        const again = await readOnce();
        expect(again.reads, sort).not.toContain("matches");
        expect(again.ids, sort).toEqual(first.ids);
        expect(again.page.count, sort).toEqual({ total: 3, capped: true });
        const later = await readOnce({ countLater: true });
        expect(later.reads, sort).not.toContain("matches");
        expect(later.page.count, sort).toBeNull();
        await expect(later.page.counting, sort).resolves.toEqual({ total: 3, capped: true });
        // Its next page is walked at once too, and the two pages hold what the walk gave before.
        const next = await queuePage(read([]), asAdmin, { ...view, after: first.page.cursors.next ?? undefined }, { cap: 3 });
        expect(next.count, sort).toEqual({ total: 3, capped: true });
        expect(new Set([...first.ids, ...next.rows.map((r) => r.id)]), sort).toEqual(new Set(marked.map((r) => r.id)));
        // Down to two matches: the walk's count says so, and the next read is from the matches.
        await unmark();
        await mark(marked.slice(0, 2).map((r) => r.id));
        const shrunk = await readOnce();
        expect(shrunk.reads, sort).not.toContain("matches");
        expect(shrunk.page.count, sort).toEqual({ total: 2, capped: false });
        expect(shrunk.ids.sort(), sort).toEqual(marked.slice(0, 2).map((r) => r.id).sort());
        const after = await readOnce();
        expect(after.reads, sort).toContain("matches");
        expect(after.page.count, sort).toEqual({ total: 2, capped: false });
        await unmark();
        await mark(marked.map((r) => r.id));
      }
    } finally {
      await unmark();
    }
  });

  it("a requester filter in requested-at order is read person by person, with the same pages, both ways, as the sorted and walked reads", async () => {
    // Each statement's CTEs, in `reads` (`people` person by person, `matches` sorted from the matches).
    const read = (reads: string[][]) =>
      new Proxy(preset.db, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop);
          if (prop !== "with" || typeof value !== "function") return value;
          return (...queries: { _: { alias: string } }[]) => {
            reads.push(queries.map((q) => q._.alias));
            return value.apply(target, queries);
          };
        },
      }) as typeof preset.db;
    const { weather, weatherOwner, asWeatherOwner, mine } = await weatherForItsOwner();
    expect(mine.size).toBeGreaterThan(11);
    await t.db.update(products).set({ ownerId: weatherOwner.id }).where(eq(products.id, weather.id));
    try {
      // Pages of 10 (a person has 21 requests, so no person's are all read at once). One person; all three (and the admin, who asked for nothing); one status of all three; none.
      const filters = [
        { status: "all", requester: people[2]?.email ?? "" },
        { status: "all", requester: "@example.com" },
        { status: "pending", requester: "@EXAMPLE" },
        { status: "all", requester: "no-such-person" },
      ];
      for (const viewer of [asAdmin, asWeatherOwner]) {
        for (const filter of filters) {
          for (const dir of ["asc", "desc"]) {
            const label = `${viewer.role} ${JSON.stringify(filter)} ${dir}`;
            const walkWith = async (opts: { cap: number; peopleCap?: number; walkBudget?: number }) => {
              const pages: { ids: string[]; previous: string | null; reads: string[][] }[] = [];
              let after: string | undefined;
              let count: unknown;
              for (let i = 0; i < 40; i++) {
                const reads: string[][] = [];
                const page = await queuePage(read(reads), viewer, parseQueueParams({ ...filter, dir, size: "10", after }), opts);
                count ??= page.count;
                pages.push({ ids: page.rows.map((r) => r.id), previous: page.cursors.previous, reads });
                if (!page.cursors.next) {
                  // Back from each page, the same way, gives the page before it.
                  for (let j = 1; j < pages.length; j++) {
                    const before = pages[j]?.previous ?? undefined;
                    const back = await queuePage(preset.db, viewer, parseQueueParams({ ...filter, dir, size: "10", before }), opts);
                    expect(back.rows.map((r) => r.id), `${label} ${JSON.stringify(opts)} back from page ${j + 1}`).toEqual(pages[j - 1]?.ids);
                  }
                  return { pages, count, ctes: new Set(pages.flatMap((p) => p.reads.flat())) };
                }
                after = page.cursors.next;
              }
              throw new Error(`${label}: paging did not end`);
            };
            const byPeople = await walkWith({ cap: 1000 });
            // Too many people: walked within a budget of 12 requests (a page of 10 needs 11 rows), then as below.
            const budgeted = await walkWith({ cap: 1000, peopleCap: 0, walkBudget: 12 });
            // No budget: sorted from the matches, or walked in key order past the count's cap.
            const sorted = await walkWith({ cap: 1000, peopleCap: 0, walkBudget: 0 });
            const walked = await walkWith({ cap: 3, peopleCap: 0, walkBudget: 0 });
            const personByPerson = ["people", "counted", "by_person"];
            const budgetedWalk = ["horizon", "walked"];
            expect([...byPeople.ctes], label).toEqual(personByPerson);
            expect(byPeople.pages.every((p) => p.reads.length === 1), label).toBe(true);
            expect(sorted.ctes.has("matches"), label).toBe(filter.requester !== "no-such-person");
            expect(budgeted.pages.map((p) => p.ids), label).toEqual(byPeople.pages.map((p) => p.ids));
            // Few enough people, a budget the table exceeds: the walk stays out of the page.
            const alsoBudgeted = await walkWith({ cap: 1000, walkBudget: 12 });
            expect(alsoBudgeted.pages.map((p) => p.ids), label).toEqual(byPeople.pages.map((p) => p.ids));
            // Everyone's requests, all of the status: the budget's 12 hold the first pages whole. The
            // owner sees a third or so: the first 62 of the 63 hold a page of theirs.
            if (filter.requester === "@example.com") {
              const wider = viewer === asAdmin ? budgeted : await walkWith({ cap: 1000, peopleCap: 0, walkBudget: total - 1 });
              expect(wider.pages.map((p) => p.ids), label).toEqual(byPeople.pages.map((p) => p.ids));
              // The first page walked after asking for the people; later pages read as the one before
              // was (walked, or from the matches once a walk came back short), without asking again.
              expect(wider.pages[0]?.reads.slice(0, 2), label).toEqual([personByPerson, budgetedWalk]);
              expect(wider.pages.slice(1).filter((p) => p.reads.some((r) => r.join() === personByPerson.join())), label).toEqual([]);
            }
            const ids = byPeople.pages.map((p) => p.ids);
            expect(sorted.pages.map((p) => p.ids), label).toEqual(ids);
            const seen = ids.flat();
            expect(new Set(seen).size, label).toBe(seen.length);
            expect(byPeople.count, label).toEqual({ total: seen.length, capped: false });
            if (viewer === asWeatherOwner) expect(seen.every((id) => mine.has(id)), label).toBe(true);
            // Everyone who asked: the whole view, in the unfiltered view's order.
            if (viewer === asAdmin && filter.requester === "@example.com") expect(seen, label).toEqual((await walk("createdAt", dir, 10)).seen);
            if (seen.length > 3) {
              expect(walked.pages.map((p) => p.ids), label).toEqual(ids);
              expect(walked.count, label).toEqual({ total: 3, capped: true });
            }
            // In a transaction (one connection): the page, then the count, the same.
            const inTransaction = await t.db.transaction((tx) => queuePage(tx, viewer, parseQueueParams({ ...filter, dir, size: "10" })));
            expect(inTransaction.rows.map((r) => r.id), label).toEqual(byPeople.pages[0]?.ids);
            expect(inTransaction.count, label).toEqual(byPeople.count);
          }
        }
      }
      // A pattern seen to match too many people is walked at once the next time: one statement, the same page.
      const fresh = parseQueueParams({ status: "all", requester: "XAMPLE.co", size: "10" });
      const firstReads: string[][] = [];
      const againReads: string[][] = [];
      const firstTime = await queuePage(read(firstReads), asAdmin, fresh, { peopleCap: 1, walkBudget: 12 });
      const again = await queuePage(read(againReads), asAdmin, { ...fresh, requester: "xample.CO" }, { peopleCap: 1, walkBudget: 12 });
      expect(firstReads).toEqual([["people", "counted", "by_person"], ["horizon", "walked"]]);
      expect(againReads).toEqual([["horizon", "walked"]]);
      expect(again.rows.map((r) => r.id)).toEqual(firstTime.rows.map((r) => r.id));
      expect(again.rows).toHaveLength(10);
      // One whose walk came back short (a budget of 5 holds no page of 10) is read from the matches at once.
      const short = parseQueueParams({ status: "all", requester: "exAMPLE", size: "10" });
      const shortFirst: string[][] = [];
      const shortAgain: string[][] = [];
      const shortPage = await queuePage(read(shortFirst), asAdmin, short, { peopleCap: 1, walkBudget: 5 });
      const shortPageAgain = await queuePage(read(shortAgain), asAdmin, short, { peopleCap: 1, walkBudget: 5 });
      expect(shortFirst.slice(0, 2)).toEqual([["people", "counted", "by_person"], ["horizon", "walked"]]);
      expect(shortFirst.slice(2).flat()).toContain("matches");
      expect(shortAgain).toEqual(shortFirst.slice(2));
      expect(shortPageAgain.rows.map((r) => r.id)).toEqual(shortPage.rows.map((r) => r.id));
      expect(shortPage.rows).toHaveLength(10);
      // Several people: a page interleaves their requests in requested-at order.
      const first = await queuePage(preset.db, asAdmin, parseQueueParams({ status: "all", requester: "@example.com", size: "10" }));
      expect(new Set(first.rows.map((r) => r.requesterId)).size).toBeGreaterThan(1);
    } finally {
      await t.db.update(products).set({ ownerId: weather.ownerId }).where(eq(products.id, weather.id));
    }
  });

  it("sorted by app or requester with a requester filter past the count's cap, pages through exactly that person's requests, both ways", async () => {
    // cap 2: the 21 matches are past it, so the page walks apps (or people) in key order; sorted by
    // app, only the named people's apps (access_requests_app_owner_fk).
    const person = people[1];
    if (!person) throw new Error("no person");
    for (const sort of ["app", "requester"]) {
      for (const dir of ["asc", "desc"]) {
        const label = `${sort} ${dir}`;
        const all = await queryQueue(t.db, asAdmin, parseQueueParams({ status: "all", sort, dir, size: "100" }));
        const expected = all.rows.filter((r) => r.requesterId === person.id).map((r) => r.id);
        expect(expected.length, label).toBe(21);
        const seen: string[] = [];
        let after: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await queuePage(preset.db, asAdmin, parseQueueParams({ status: "all", sort, dir, requester: person.email.toUpperCase(), size: "5", after }), { cap: 2 });
          expect(page.count, label).toEqual({ total: 2, capped: true });
          seen.push(...page.rows.map((r) => r.id));
          if (!page.cursors.next) break;
          after = page.cursors.next;
        }
        expect(seen, label).toEqual(expected);
      }
    }
  });
});

