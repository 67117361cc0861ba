import { eq, type SQL, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Database, Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, apps, products, users } from "@/db/schema";
import { parseQueueParams } from "@/lib/admin/queue-params";
import { queuePage } from "@/lib/admin/queue-query";
import { productScope } from "@/lib/api-access/grants";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import type { Actor } from "@/lib/auth/permissions";

/**
 * The approval queue's oracle for adversarial tests: what a view must hold, worked out here from the
 * raw tables in JavaScript (and a plain ORDER BY), never through the queue's own SQL.
 */

export type QueueView = { q?: string; product?: string; plan?: string; requester?: string; status?: string; from?: string; to?: string; sort?: string; dir?: string };

export type RawRequest = {
  id: string;
  requesterId: string;
  status: string;
  planId: string;
  createdAt: Date;
  reason: string;
  email: string;
  name: string | null;
  appName: string;
  productIds: string[];
  productNames: string[];
  ownerIds: string[];
};

export const userActor = (id: string, role: "owner" | "admin" | "consumer", disabled = false): Actor => ({ kind: "user", id, role, disabled });

/** Every request with its requester, app and parts. */
export async function rawRequests(db: Queryable): Promise<RawRequest[]> {
  const rows = await db
    .select({
      id: accessRequests.id,
      requesterId: accessRequests.requesterId,
      status: accessRequests.status,
      planId: accessRequests.planId,
      createdAt: accessRequests.createdAt,
      reason: accessRequests.reason,
      email: users.email,
      name: users.name,
      appName: apps.name,
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId));
  const parts = await db
    .select({ requestId: accessRequestProducts.requestId, productId: products.id, name: products.name, ownerId: products.ownerId })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId));
  return rows.map((r) => {
    const mine = parts.filter((p) => p.requestId === r.id);
    return {
      ...r,
      planId: r.planId ?? "",
      productIds: mine.map((p) => p.productId),
      productNames: mine.map((p) => p.name),
      ownerIds: mine.map((p) => p.ownerId),
    };
  });
}

/** Who sees a request in the queue: a key through its read scope, an admin all, an owner through a part of theirs. */
export function sees(actor: Actor, r: RawRequest) {
  if (actor.kind === "apiKey") {
    const scope = productScope(actor.grants, "read");
    return scope === "all" || r.productIds.some((id) => scope.includes(id));
  }
  if (actor.disabled || actor.role === "consumer") return false;
  if (actor.role === "admin") return true;
  return r.ownerIds.includes(actor.id);
}

const has = (hay: string | null, needle: string) => (hay ?? "").toLowerCase().includes(needle.toLowerCase());

/** Each request's place in a sort, by a plain ORDER BY over the tables. */
async function rankedIds(db: Queryable, sort: string, dir: string) {
  const expr = { createdAt: "a.created_at", requester: "u.email", status: "a.status", plan: "(a.plan->>'name')", app: "ap.name", requestedFor: "a.starts_at" }[sort];
  const rows = await db.execute<{ id: string }>(
    sql.raw(`select a.id from access_requests a join users u on u.id = a.requester_id join apps ap on ap.id = a.app_id
      order by ${expr} ${dir}, a.id ${dir}`),
  );
  return new Map(rows.map((r, i) => [r.id, i]));
}

/** The ids a view must show this viewer, in the view's order. */
export async function queueOracle(db: Queryable, actor: Actor, v: QueueView) {
  const all = await rawRequests(db);
  const status = v.status ?? "pending";
  const to = v.to ? new Date(new Date(`${v.to}T00:00:00Z`).getTime() + 86_400_000) : undefined;
  const matches = all.filter(
    (r) =>
      sees(actor, r) &&
      (status === "all" || r.status === status) &&
      (!v.product || r.productIds.includes(v.product)) &&
      (!v.plan || r.planId === v.plan) &&
      (!v.requester || has(r.email, v.requester) || has(r.name, v.requester)) &&
      (!v.from || r.createdAt >= new Date(`${v.from}T00:00:00Z`)) &&
      (!to || r.createdAt < to) &&
      // Reasons only for a text with three letters or digits in a row (lib/admin/queue-query.ts searchesReasons).
      (!v.q || [r.email, r.name, r.appName, /[\p{L}\p{N}]{3}/u.test(v.q) ? r.reason : null, ...r.productNames].some((s) => has(s, v.q ?? ""))),
  );
  const order = await rankedIds(db, v.sort ?? "createdAt", v.dir ?? "asc");
  return matches.map((r) => r.id).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

export type PageReadOptions = { cap?: number; countLater?: boolean; size?: number };
type Count = { total: number; capped: boolean } | null;

/** Every page of a view, forward with `next` and then back with `previous` from the last page; each page's count as it gave it. */
export async function readEveryPage(db: Queryable, actor: Actor, v: QueueView, opts: PageReadOptions = {}) {
  const base = { status: "pending", ...v, size: String(opts.size ?? 10) } as Record<string, string>;
  const o = { cap: opts.cap, countLater: opts.countLater };
  const forward: string[] = [];
  const pages: string[][] = [];
  const counts: Count[] = [];
  let after: string | undefined;
  let last: Awaited<ReturnType<typeof queuePage>> | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await queuePage(db, actor, parseQueueParams({ ...base, ...(after ? { after } : {}) }), o);
    const ids = page.rows.map((r) => r.id);
    forward.push(...ids);
    pages.push(ids);
    counts.push(page.count ?? (await page.counting) ?? null);
    last = page;
    if (!page.cursors.next) break;
    after = page.cursors.next;
  }
  const backward: string[] = [...(pages.at(-1) ?? [])];
  let before = last?.cursors.previous ?? undefined;
  for (let i = 0; before && i < 200; i++) {
    const page = await queuePage(db, actor, parseQueueParams({ ...base, before }), o);
    backward.unshift(...page.rows.map((r) => r.id));
    counts.push(page.count ?? (await page.counting) ?? null);
    before = page.cursors.previous ?? undefined;
  }
  return { forward, backward, pages, counts };
}

/**
 * A view read page by page on `db` (forward and back) shows exactly the oracle's ids in its order,
 * and every page's count is the oracle's, capped. `oracleDb` reads the raw tables (the test's main
 * pool when `db` is another).
 */
export async function expectQueueMatchesOracle(db: Queryable, oracleDb: Queryable, actor: Actor, v: QueueView, label: string, opts: PageReadOptions = {}) {
  const want = await queueOracle(oracleDb, actor, v);
  const got = await readEveryPage(db, actor, v, opts);
  const cap = opts.cap ?? 1000;
  const msg = `${label} ${JSON.stringify(v)} ${JSON.stringify(opts)}`;
  expect(got.forward, `${msg}: forward`).toEqual(want);
  expect(got.backward, `${msg}: backward`).toEqual(want);
  for (const count of got.counts) expect(count, `${msg}: count`).toEqual({ total: Math.min(want.length, cap), capped: want.length > cap });
}

/** A db whose `with(...)` calls are noted (each statement's CTE names), in or out of a transaction. */
export function watchStatements<T extends object>(target: T, reads: string[][]): T {
  return new Proxy(target, {
    get(on, prop) {
      const value: unknown = Reflect.get(on, prop);
      if (typeof value !== "function") return value;
      if (prop === "with")
        return (...queries: { _: { alias: string } }[]) => {
          reads.push(queries.map((q) => q._.alias));
          return value.apply(on, queries);
        };
      if (prop === "transaction") return (fn: (tx: object) => unknown) => value.call(on, (tx: object) => fn(watchStatements(tx, reads)));
      return value;
    },
  });
}

/**
 * A request submitter for queue tests: each request through the cart and submitRequest, on a new app
 * named `app` afterwards (app names are unique per person in code only, so apps may share names:
 * ties for the app sort).
 */
export function requestSubmitter(db: Database, defaultPlanId: string) {
  let n = 0;
  return async function submit(userId: string, productIds: string[], app: string, reason: string, planId = defaultPlanId) {
    for (const productId of productIds) await addToCart(db, userId, { productId, planId });
    n++;
    const r = await submitRequest(db, { userId, baseUrl: "http://x" }, { newAppName: `${app}-${n}`, reason }, {});
    await db.update(apps).set({ name: app }).where(eq(apps.id, r.appId));
    return r;
  };
}

/**
 * Requests written straight into the table, by the hundred, on one plan (with the snapshot of it a
 * submitted request carries; 30 days each): `rows` selects requester_id, app_id, status, reason,
 * starts_at and created_at, a row per request. Each id is a UUID (a cursor naming anything else reads
 * as none: queue-cursor.ts). No parts: a test that needs them inserts them beside.
 */
export function insertRequests(db: Queryable, planId: string, rows: SQL) {
  return db.execute(sql`insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan, starts_at, duration_days, created_at, updated_at)
    select gen_random_uuid()::text, r.requester_id, r.app_id, plan.id, r.status::request_status, r.reason, '{}'::jsonb,
      jsonb_build_object('name', plan.name, 'autoApprove', false, 'approvalsRequired', 1, 'keyLifetimeDays', plan.key_lifetime_days,
        'claimLinkLifetimeHours', plan.claim_link_lifetime_hours, 'requestFields', '[]'::jsonb),
      r.starts_at, 30, r.created_at, now()
    from (${rows}) r cross join plans plan where plan.id = ${planId}`);
}

/**
 * What `read` returned, and how many rows of `table` PostgreSQL read (in order, or from the table by
 * index) meanwhile, in the transaction `tx`: the difference across it, as pg_stat_xact_user_tables
 * holds what the connection has not reported yet (at most once a second), an earlier transaction's
 * too. (The view, not pg_stat_get_xact_tuples_fetched: that counts the innermost savepoint's reads
 * alone.)
 */
export async function rowsReadDuring<T>(tx: Queryable, table: string, read: () => Promise<T>) {
  const rowsRead = async () => {
    const [row] = await tx.execute<{ n: number }>(
      sql`select coalesce((select (seq_tup_read + idx_tup_fetch)::int from pg_stat_xact_user_tables where relname = ${table}), 0) as n`,
    );
    return row?.n ?? 0;
  };
  const before = await rowsRead();
  const result = await read();
  return { result, read: (await rowsRead()) - before };
}
