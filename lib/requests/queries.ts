import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { requestParts } from "./request-parts";
import { accessRequestProducts, accessRequests, apiKeys, apps, auditEvents, products, requestApprovals, users } from "@/db/schema";

const approvalsCount = sql<number>`(select count(*)::int from ${requestApprovals} where ${requestApprovals.requestId} = ${accessRequests.id})`;

/** The requester's own requests (Removed ones hidden), newest first, with app and product names. */
export async function listMyRequests(db: Queryable, userId: string) {
  const rows = await db
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      plan: accessRequests.plan,
      startsAt: accessRequests.startsAt,
      durationDays: accessRequests.durationDays,
      createdAt: accessRequests.createdAt,
      handoffFallbackAt: accessRequests.handoffFallbackAt,
      appId: apps.id,
      appName: apps.name,
      approvals: approvalsCount,
    })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    // An extension is shown on the request it extends, not as a request of its own.
    .where(and(eq(accessRequests.requesterId, userId), isNull(accessRequests.hiddenAt), isNull(accessRequests.extendsRequestId)))
    .orderBy(desc(accessRequests.createdAt))
    .limit(500);
  const names = await productNamesFor(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, products: names.get(r.id) ?? [] }));
}

async function productNamesFor(db: Queryable, requestIds: string[]) {
  const map = new Map<string, { name: string; slug: string }[]>();
  if (requestIds.length === 0) return map;
  const rows = await db
    .select({ requestId: accessRequestProducts.requestId, name: products.name, slug: products.slug })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(inArray(accessRequestProducts.requestId, requestIds))
    .orderBy(asc(products.name));
  for (const r of rows) map.set(r.requestId, [...(map.get(r.requestId) ?? []), { name: r.name, slug: r.slug }]);
  return map;
}

/** One of the requester's requests with its products and full timeline, or null if not theirs. */
export async function getMyRequest(db: Queryable, userId: string, requestId: string) {
  const [row] = await db
    .select({
      request: accessRequests,
      appName: apps.name,
      approvals: approvalsCount,
    })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, userId), isNull(accessRequests.hiddenAt)));
  if (!row) return null;
  const [names, parts, timeline, next] = await Promise.all([
    productNamesFor(db, [requestId]),
    requestParts(db, [requestId]),
    requestTimeline(db, requestId),
    db.select({ id: accessRequests.id }).from(accessRequests).where(eq(accessRequests.resubmittedFromId, requestId)),
  ]);
  return {
    ...row.request,
    appName: row.appName,
    approvals: row.approvals,
    products: names.get(requestId) ?? [],
    parts: parts.get(requestId) ?? [],
    timeline,
    resubmittedAsId: next[0]?.id ?? null,
  };
}

/**
 * Every audit event about a request, oldest first, with the actor's name — and each roll of its
 * keys, which is recorded on the key (the request's status does not change when a key is rolled).
 */
export function requestTimeline(db: Queryable, requestId: string) {
  return db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      actorType: auditEvents.actorType,
      actorName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      comment: auditEvents.comment,
      createdAt: auditEvents.createdAt,
      via: sql<string | null>`${auditEvents.data}->>'via'`,
      credential: sql<string | null>`${auditEvents.data}->>'credential'`,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      or(
        and(eq(auditEvents.subjectType, "request"), eq(auditEvents.subjectId, requestId)),
        and(
          eq(auditEvents.subjectType, "key"),
          eq(auditEvents.action, "key.rolled"),
          inArray(auditEvents.subjectId, db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.requestId, requestId))),
        ),
      ),
    )
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
}

/** The requester's apps that can receive new requests. */
export function myApps(db: Queryable, userId: string) {
  return db
    .select({ id: apps.id, name: apps.name })
    .from(apps)
    .where(and(eq(apps.ownerId, userId), isNull(apps.deletedAt)))
    .orderBy(asc(apps.name));
}

