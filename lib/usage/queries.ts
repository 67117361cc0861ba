import { type SQL, and, desc, eq, gte, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import {
  type UsageOutcome,
  accessRequestProducts,
  accessRequests,
  apiKeys,
  apps,
  auditEvents,
  keyUsageDaily,
  products,
  usageCounters,
  usageOutcome,
  users,
} from "@/db/schema";
import { productScope } from "@/lib/api-access/grants";
import { type Actor, requestsVisibleTo } from "@/lib/auth/permissions";

/**
 * Usage people can see (issue 16): calls per day from key_usage_daily (what verify answered, per key
 * per UTC day per outcome), quota used from usage_counters (the limiter's month rows). Each function
 * checks who asks: a consumer sees their own apps and requests, an owner their own products (and
 * the requests touching them), an admin everything. What the actor may not see is answered like
 * something unknown (null, or absent from the map).
 */

export const USAGE_DAYS = 30;
export const USAGE_OUTCOMES = usageOutcome.enumValues;
export const DECISIONS = ["approved", "auto_approved", "denied"] as const;
export type Decision = (typeof DECISIONS)[number];

/** One day of a chart: a count per series key, and their sum. */
export type DailyPoint<K extends string> = {
  day: string;
  counts: Record<K, number>;
  total: number;
};
/** Days oldest first, every day present (zero-filled), with totals over the whole range. */
export type DailySeries<K extends string> = {
  keys: readonly K[];
  days: DailyPoint<K>[];
  totals: Record<K, number>;
  total: number;
};

/** The UTC calendar day of a moment, as key_usage_daily stores it ('YYYY-MM-DD'). */
export const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const dayBefore = (day: string, n = 1) =>
  utcDay(new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000));

/** The `n` UTC days ending today, oldest first. */
export function lastDays(now: Date, n = USAGE_DAYS): string[] {
  const today = utcDay(now);
  return Array.from({ length: n }, (_, i) => dayBefore(today, n - 1 - i));
}

/** First instant of the UTC month: the window_start of the limiter's month row. */
export const monthStartOf = (now: Date) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Rows (day, key, n) into a zero-filled series over `days`; rows outside them are ignored. */
export function zeroFill<K extends string>(
  keys: readonly K[],
  days: readonly string[],
  rows: readonly { day: string; key: K; n: number }[],
): DailySeries<K> {
  const byDay = new Map(days.map((day) => [day, { day, counts: zeros(keys), total: 0 }]));
  const totals = zeros(keys);
  let total = 0;
  for (const r of rows) {
    const point = byDay.get(r.day);
    if (!point || !(r.key in point.counts)) continue;
    point.counts[r.key] += r.n;
    point.total += r.n;
    totals[r.key] += r.n;
    total += r.n;
  }
  return { keys, days: [...byDay.values()], totals, total };
}

const sumCount = sql<number>`coalesce(sum(${keyUsageDaily.count}), 0)::float8`.mapWith(Number);

/** Calls per day per outcome over the last 30 days for the key_usage_daily rows `filter` selects. */
async function callsPerDay(
  db: Queryable,
  filter: SQL | undefined,
  now: Date,
): Promise<DailySeries<UsageOutcome>> {
  const days = lastDays(now);
  const rows = await db
    .select({ day: keyUsageDaily.day, key: keyUsageDaily.outcome, n: sumCount })
    .from(keyUsageDaily)
    .where(
      and(
        gte(keyUsageDaily.day, days[0] ?? utcDay(now)),
        lte(keyUsageDaily.day, utcDay(now)),
        filter,
      ),
    )
    .groupBy(keyUsageDaily.day, keyUsageDaily.outcome);
  return zeroFill(USAGE_OUTCOMES, days, rows);
}

/** The products whose usage this actor reads: every one (admins), a SQL condition on products (owners: their own), or none. */
function productReach(actor: Actor): "all" | "none" | SQL {
  if (actor.disabled) return "none";
  if (actor.kind === "apiKey") {
    const scope = productScope(actor.grants, "read");
    if (scope === "all") return "all";
    return scope.length === 0 ? "none" : inArray(products.id, scope);
  }
  if (actor.role === "admin") return "all";
  if (actor.role === "owner") return eq(products.ownerId, actor.id);
  return "none";
}

const reachSql = (reach: ReturnType<typeof productReach>) =>
  reach === "all" ? undefined : reach === "none" ? sql`false` : reach;

/** The consumer's own app (not deleted), or null: someone else's app is answered like an unknown one. */
async function ownApp(db: Queryable, actor: Actor, appId: string) {
  if (actor.disabled) return null;
  const [app] = await db
    .select({ id: apps.id })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.ownerId, actor.id), isNull(apps.deletedAt)));
  return app ?? null;
}

/**
 * An app's calls per day for the last 30 days by outcome, optionally one key's or one product's
 * (slug). Null when the app is not the actor's.
 */
export async function usageOfApp(
  db: Queryable,
  actor: Actor,
  input: { appId: string; keyId?: string; product?: string; now?: Date },
): Promise<DailySeries<UsageOutcome> | null> {
  if (!(await ownApp(db, actor, input.appId))) return null;
  const keysOfApp = db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(eq(apiKeys.appId, input.appId));
  return callsPerDay(
    db,
    and(
      inArray(keyUsageDaily.keyId, keysOfApp),
      input.keyId ? eq(keyUsageDaily.keyId, input.keyId) : undefined,
      input.product !== undefined ? eq(keyUsageDaily.product, input.product) : undefined,
    ),
    input.now ?? new Date(),
  );
}

/**
 * The product filter of an app's chart: the products of its approved or available requests, plus
 * any other slug its keys were used with in the last 30 days (refused as not for that product, or
 * '' for calls that named none). Empty when the app is not the actor's.
 */
export async function productsOfAppUsage(
  db: Queryable,
  actor: Actor,
  input: { appId: string; now?: Date },
) {
  if (!(await ownApp(db, actor, input.appId))) return [];
  const since = lastDays(input.now ?? new Date())[0] ?? "";
  const [used, requested] = await Promise.all([
    db
      .selectDistinct({ slug: keyUsageDaily.product, name: products.name })
      .from(keyUsageDaily)
      .innerJoin(apiKeys, eq(apiKeys.id, keyUsageDaily.keyId))
      // Named by its product only when the key's request has that product: any slug can be named at
      // verify, and a draft product's name must not answer a consumer's guess.
      .leftJoin(
        products,
        and(
          eq(products.slug, keyUsageDaily.product),
          sql`exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${apiKeys.requestId} and ${accessRequestProducts.productId} = ${products.id})`,
        ),
      )
      .where(and(eq(apiKeys.appId, input.appId), gte(keyUsageDaily.day, since))),
    db
      .selectDistinct({ slug: products.slug, name: products.name })
      // From the requests, then their parts: the order PostgreSQL locks them in, as every other
      // reader of both does (a migration locking the requests and then the parts waits for it
      // instead of deadlocking with it: drizzle/0035).
      .from(accessRequests)
      .innerJoin(accessRequestProducts, eq(accessRequests.id, accessRequestProducts.requestId))
      .innerJoin(products, eq(products.id, accessRequestProducts.productId))
      .where(
        and(
          eq(accessRequests.appId, input.appId),
          inArray(accessRequests.status, ["approved", "available"]),
        ),
      ),
  ]);
  const bySlug = new Map<string, string>();
  for (const r of [...requested, ...used]) {
    if (!bySlug.has(r.slug))
      bySlug.set(r.slug, r.slug === "" ? "No product named" : (r.name ?? r.slug));
  }
  return [...bySlug]
    .map(([slug, name]) => ({ slug, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The key of a key_usage_daily row holds (or held) access to this product. A row names its product by
 * the slug the gateway sent, and a slug is no identity: it can be renamed and taken by another
 * owner's product, and any key may name any slug at verify. Without this, an owner would see another
 * owner's calls and strangers' app names and emails.
 */
const keyHeldProduct = (productId: string) =>
  sql`exists (select 1 from ${apiKeys} join ${accessRequestProducts} on ${accessRequestProducts.requestId} = ${apiKeys.requestId}
    where ${apiKeys.id} = ${keyUsageDaily.keyId} and ${accessRequestProducts.productId} = ${productId})`;

/** A product's calls per day (calls that named it, by keys with access to it) for its owner or an admin; null otherwise. */
export async function usageOfProduct(
  db: Queryable,
  actor: Actor,
  input: { productId: string; now?: Date },
): Promise<DailySeries<UsageOutcome> | null> {
  const product = await readableProduct(db, actor, input.productId);
  if (!product) return null;
  return callsPerDay(db, and(eq(keyUsageDaily.product, product.slug), keyHeldProduct(product.id)), input.now ?? new Date());
}

async function readableProduct(db: Queryable, actor: Actor, productId: string) {
  const [product] = await db
    .select({ id: products.id, slug: products.slug })
    .from(products)
    .where(and(eq(products.id, productId), reachSql(productReach(actor))));
  return product ?? null;
}

export type TopApp = {
  appId: string;
  appName: string;
  ownerEmail: string;
  calls: number;
  allowed: number;
  refused: number;
};

/** The apps that called a product most in the last 30 days (owner or admin; null otherwise). */
export async function topAppsOfProduct(
  db: Queryable,
  actor: Actor,
  input: { productId: string; limit?: number; now?: Date },
): Promise<TopApp[] | null> {
  const product = await readableProduct(db, actor, input.productId);
  if (!product) return null;
  const now = input.now ?? new Date();
  const calls = sql<number>`sum(${keyUsageDaily.count})::float8`.mapWith(Number);
  const allowed =
    sql<number>`coalesce(sum(${keyUsageDaily.count}) filter (where ${keyUsageDaily.outcome} = 'allowed'), 0)::float8`.mapWith(
      Number,
    );
  const rows = await db
    .select({ appId: apps.id, appName: apps.name, ownerEmail: users.email, calls, allowed })
    .from(keyUsageDaily)
    .innerJoin(apiKeys, eq(apiKeys.id, keyUsageDaily.keyId))
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .innerJoin(users, eq(users.id, apps.ownerId))
    .where(
      and(
        eq(keyUsageDaily.product, product.slug),
        keyHeldProduct(product.id),
        gte(keyUsageDaily.day, lastDays(now)[0] ?? utcDay(now)),
        lte(keyUsageDaily.day, utcDay(now)),
      ),
    )
    .groupBy(apps.id, apps.name, users.email)
    .orderBy(desc(calls), apps.name)
    .limit(Math.min(Math.max(input.limit ?? 5, 1), 50));
  return rows.map((r) => ({ ...r, refused: r.calls - r.allowed }));
}

/**
 * Calls per day across the portal: every call for an admin; for an owner the calls that named one
 * of their products. Null for anyone else.
 */
export async function usageOfPortal(
  db: Queryable,
  actor: Actor,
  input: { now?: Date } = {},
): Promise<DailySeries<UsageOutcome> | null> {
  const reach = productReach(actor);
  if (reach === "none") return null;
  const now = input.now ?? new Date();
  if (reach === "all") return callsPerDay(db, undefined, now);
  // Calls that named one of their products, by a key with access to that product (keyHeldProduct).
  return callsPerDay(
    db,
    sql`exists (select 1 from ${apiKeys}
      join ${accessRequestProducts} on ${accessRequestProducts.requestId} = ${apiKeys.requestId}
      join ${products} on ${products.id} = ${accessRequestProducts.productId}
      where ${apiKeys.id} = ${keyUsageDaily.keyId} and ${products.slug} = ${keyUsageDaily.product} and ${reach})`,
    now,
  );
}

/**
 * Requests decided per day over the last 30 days (from the audit log: approved by people,
 * auto-approved, denied), over the requests the actor sees in the queue. Null for consumers.
 */
export async function decisionsPerDay(
  db: Queryable,
  actor: Actor,
  input: { now?: Date } = {},
): Promise<DailySeries<Decision> | null> {
  if (actor.disabled || (actor.kind === "user" && actor.role === "consumer")) return null;
  const now = input.now ?? new Date();
  const days = lastDays(now);
  const day = sql<string>`to_char(${auditEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const key = sql<Decision>`case when ${auditEvents.action} = 'request.denied' then 'denied'
    when ${auditEvents.actorType} = 'auto-approve' then 'auto_approved' else 'approved' end`;
  const rows = await db
    .select({ day, key, n: sql<number>`count(*)::float8`.mapWith(Number) })
    .from(auditEvents)
    // Tested on the event's subject, without a join to access_requests: at 21,000 decisions in 30 days
    // (1,000,000 requests) the join made it 660 ms instead of 400.
    .where(
      and(
        eq(auditEvents.subjectType, "request"),
        inArray(auditEvents.action, ["request.approved", "request.denied"]),
        gte(auditEvents.createdAt, new Date(`${days[0]}T00:00:00Z`)),
        requestsVisibleTo(actor, auditEvents.subjectId),
      ),
    )
    .groupBy(day, key);
  return zeroFill(DECISIONS, days, rows);
}

/** Calls today and yesterday (UTC days: the finest grain stored), every outcome counted. */
export type RecentCalls = { today: number; yesterday: number };

/** SQL on access_requests: the requests whose usage the actor sees (their own, or those in their queue). */
const requestsReadableBy = (actor: Actor): SQL | undefined =>
  actor.disabled
    ? sql`false`
    : or(eq(accessRequests.requesterId, actor.id), requestsVisibleTo(actor));

/**
 * SQL on a key_usage_daily row joined to its key and request: a row this actor may count. The
 * requester and admins count every call; an owner (or a product-scoped API key) every call except
 * those naming one of the request's products outside their authority: the co-owner of a mixed
 * request must not read the other owner's traffic off "used N times today".
 */
function usageRowsReadableBy(actor: Actor): SQL | undefined {
  let mine: SQL;
  if (actor.kind === "apiKey") {
    const scope = productScope(actor.grants, "read");
    if (scope === "all") return undefined;
    mine = scope.length === 0 ? sql`false` : inArray(products.id, scope);
  } else {
    if (actor.role === "admin") return undefined;
    mine = eq(products.ownerId, actor.id);
  }
  return or(
    eq(accessRequests.requesterId, actor.id),
    sql`not exists (select 1 from ${products} join ${accessRequestProducts} on ${accessRequestProducts.productId} = ${products.id}
      where ${accessRequestProducts.requestId} = ${apiKeys.requestId} and ${products.slug} = ${keyUsageDaily.product} and not (${mine}))`,
  );
}

async function recentCallsBy(
  db: Queryable,
  by: "key" | "request",
  ids: readonly string[],
  actor: Actor,
  now: Date,
) {
  const out = new Map<string, RecentCalls>();
  if (ids.length === 0) return out;
  const today = utcDay(now);
  const yesterday = dayBefore(today);
  const id = by === "key" ? apiKeys.id : apiKeys.requestId;
  const rows = await db
    .select({
      id,
      today:
        sql<number>`coalesce(sum(${keyUsageDaily.count}) filter (where ${keyUsageDaily.day} = ${today}), 0)::float8`.mapWith(
          Number,
        ),
      yesterday:
        sql<number>`coalesce(sum(${keyUsageDaily.count}) filter (where ${keyUsageDaily.day} = ${yesterday}), 0)::float8`.mapWith(
          Number,
        ),
    })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .leftJoin(
      keyUsageDaily,
      and(eq(keyUsageDaily.keyId, apiKeys.id), inArray(keyUsageDaily.day, [yesterday, today]), usageRowsReadableBy(actor)),
    )
    .where(and(inArray(id, [...ids]), requestsReadableBy(actor)))
    .groupBy(id);
  for (const r of rows) out.set(r.id, { today: r.today, yesterday: r.yesterday });
  return out;
}

/** Each key's calls today and yesterday (what a revoke or an early end of its grace stops). */
export const recentCallsOfKeys = (
  db: Queryable,
  actor: Actor,
  keyIds: readonly string[],
  now = new Date(),
) => recentCallsBy(db, "key", keyIds, actor, now);

/** Each request's calls today and yesterday, over all its keys (they share its access). */
export const recentCallsOfRequests = (
  db: Queryable,
  actor: Actor,
  requestIds: readonly string[],
  now = new Date(),
) => recentCallsBy(db, "request", requestIds, actor, now);

/** Calls counted against the quota this UTC month (the limiter's month row) vs the plan's quota (null: none). */
export type QuotaUse = { used: number; quota: number | null; monthStart: Date };

/** Quota used this month per request, for the requests the actor sees. */
export async function quotaUsedThisMonth(
  db: Queryable,
  actor: Actor,
  requestIds: readonly string[],
  now = new Date(),
) {
  const out = new Map<string, QuotaUse>();
  if (requestIds.length === 0) return out;
  const monthStart = monthStartOf(now);
  const rows = await db
    .select({
      id: accessRequests.id,
      quota: sql<number | null>`(${accessRequests.plan}->>'quotaPerMonth')::float8`,
      used: sql<number>`coalesce(${usageCounters.count}, 0)::float8`.mapWith(Number),
    })
    .from(accessRequests)
    .leftJoin(
      usageCounters,
      and(
        eq(usageCounters.subjectId, accessRequests.id),
        eq(usageCounters.window, "month"),
        eq(usageCounters.windowStart, monthStart),
      ),
    )
    .where(and(inArray(accessRequests.id, [...requestIds]), requestsReadableBy(actor)));
  for (const r of rows)
    out.set(r.id, { used: r.used, quota: r.quota === null ? null : Number(r.quota), monthStart });
  return out;
}
