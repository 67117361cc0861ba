import { and, desc, eq, ilike, isNull, like, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiKeys, apps, products, users } from "@/db/schema";
import type { UserActor } from "@/lib/auth/permissions";
import { requestsVisibleTo } from "@/lib/auth/permissions";
import { requestState } from "@/lib/requests/status-label";
import { escapeLike } from "@/lib/sql/escape-like";

export const searchQuerySchema = z.object({
  q: z
    .string({ error: "Say what to search for (?q=…)." })
    .trim()
    .min(1, "Say what to search for (?q=…).")
    .max(100, "Search for at most 100 characters."),
});

export type SearchGroup = "products" | "apps" | "my-requests" | "requests" | "keys" | "users";
export type SearchHit = { group: SearchGroup; id: string; title: string; detail: string; href: string };

/** Per group: a palette shows a handful, and each query stops there. */
export const SEARCH_LIMIT = 5;

/**
 * ⌘K search: what this person may open, and nothing else. Products for everyone (published only);
 * signed in, their own apps and requests; approvers the requests they decide (owners those touching
 * one of their products, admins all) and keys by their visible start; admins people.
 * `actor` null is a visitor (a disabled user never gets a session, so never an actor).
 */
export async function searchEverything(db: Database, who: UserActor | null, query: string): Promise<SearchHit[]> {
  const actor = who?.disabled ? null : who;
  const q = escapeLike(query);
  const contains = `%${q}%`;
  const approver = actor !== null && (actor.role === "owner" || actor.role === "admin");
  const groups = await Promise.all([
    searchProducts(db, contains),
    actor ? searchApps(db, actor, contains) : [],
    actor ? searchMyRequests(db, actor, contains) : [],
    approver ? searchApproverRequests(db, actor, query, contains) : [],
    approver ? searchKeys(db, actor, `${q}%`) : [],
    actor?.role === "admin" ? searchUsers(db, contains) : [],
  ]);
  return groups.flat();
}

async function searchProducts(db: Database, contains: string): Promise<SearchHit[]> {
  const rows = await db
    .select({ id: products.id, slug: products.slug, name: products.name, summary: products.summary })
    .from(products)
    .where(and(eq(products.status, "published"), or(ilike(products.name, contains), ilike(products.summary, contains), ilike(products.slug, contains))))
    .orderBy(products.name)
    .limit(SEARCH_LIMIT);
  return rows.map((p) => ({ group: "products", id: p.id, title: p.name, detail: p.summary, href: `/apis/${p.slug}` }));
}

async function searchApps(db: Database, actor: UserActor, contains: string): Promise<SearchHit[]> {
  const rows = await db
    .select({ id: apps.id, name: apps.name, description: apps.description })
    .from(apps)
    .where(and(eq(apps.ownerId, actor.id), isNull(apps.deletedAt), ilike(apps.name, contains)))
    .orderBy(apps.name)
    .limit(SEARCH_LIMIT);
  return rows.map((a) => ({ group: "apps", id: a.id, title: a.name, detail: a.description || "Your app", href: `/apps/${a.id}` }));
}

/** "Payments API, Maps API" for a request: its products' names. */
const productNames = sql<string>`(select string_agg(${products.name}, ', ' order by ${products.name}) from ${accessRequestProducts}
  join ${products} on ${products.id} = ${accessRequestProducts.productId} where ${accessRequestProducts.requestId} = ${accessRequests.id})`;

const productMatches = (contains: string) => sql`exists (select 1 from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId}
  where ${accessRequestProducts.requestId} = ${accessRequests.id} and ${products.name} ilike ${contains})`;

async function searchMyRequests(db: Database, actor: UserActor, contains: string): Promise<SearchHit[]> {
  const rows = await db
    .select({ id: accessRequests.id, status: accessRequests.status, app: apps.name, products: productNames })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .where(
      and(
        eq(accessRequests.requesterId, actor.id),
        isNull(accessRequests.hiddenAt),
        or(ilike(apps.name, contains), sql`${accessRequests.plan}->>'name' ilike ${contains}`, productMatches(contains)),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(SEARCH_LIMIT);
  return rows.map((r) => ({
    group: "my-requests",
    id: r.id,
    title: `${r.products ?? "Request"} for ${r.app}`,
    detail: requestState(r.status).label,
    href: `/requests/${r.id}`,
  }));
}

async function searchApproverRequests(db: Database, actor: UserActor, query: string, contains: string): Promise<SearchHit[]> {
  const isId = z.uuid().safeParse(query).success;
  const rows = await db
    .select({ id: accessRequests.id, status: accessRequests.status, app: apps.name, requester: users.email, products: productNames })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .where(
      and(
        requestsVisibleTo(actor),
        isId
          ? eq(accessRequests.id, query)
          : or(ilike(users.email, contains), ilike(users.name, contains), ilike(apps.name, contains), productMatches(contains)),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(SEARCH_LIMIT);
  return rows.map((r) => ({
    group: "requests",
    id: r.id,
    title: `${r.products ?? "Request"} for ${r.app}`,
    detail: `${r.requester} · ${requestState(r.status).label}`,
    href: `/admin/requests?status=all&open=${r.id}`,
  }));
}

async function searchKeys(db: Database, actor: UserActor, prefix: string): Promise<SearchHit[]> {
  const rows = await db
    .select({ id: apiKeys.id, start: apiKeys.start, app: apps.name, endReason: apiKeys.endReason })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .where(and(like(apiKeys.start, prefix), requestsVisibleTo(actor)))
    .orderBy(desc(apiKeys.createdAt))
    .limit(SEARCH_LIMIT);
  return rows.map((k) => ({
    group: "keys",
    id: k.id,
    title: `${k.start}…`,
    detail: `${k.app}${k.endReason ? ` · ${k.endReason === "checked_in" ? "checked in" : k.endReason}` : ""}`,
    href: `/admin/keys?q=${encodeURIComponent(k.start)}`,
  }));
}

async function searchUsers(db: Database, contains: string): Promise<SearchHit[]> {
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.kind, "person"), or(ilike(users.email, contains), ilike(users.name, contains))))
    .orderBy(users.email)
    .limit(SEARCH_LIMIT);
  return rows.map((u) => ({
    group: "users",
    id: u.id,
    title: u.name ?? u.email,
    detail: `${u.email} · ${u.role}${u.disabledAt ? " · disabled" : ""}`,
    href: `/admin/users?q=${encodeURIComponent(u.email)}`,
  }));
}
