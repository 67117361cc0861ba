import { and, desc, eq, ilike, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiKeys, apps, products, users } from "@/db/schema";
import { type Actor, can, loadParts, partsOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { requestProductNames } from "@/lib/requests/product-names";
import { type KeysetPosition, keysetPage, keysetQuery } from "@/lib/paging/keyset";
import { escapeLike } from "@/lib/sql/escape-like";
import { hashSecret } from "./key-format";

const replacement = alias(apiKeys, "replacement");

const keyColumns = {
  id: apiKeys.id,
  start: apiKeys.start,
  requestId: apiKeys.requestId,
  createdAt: apiKeys.createdAt,
  validFrom: apiKeys.validFrom,
  expiresAt: apiKeys.expiresAt,
  endsAt: apiKeys.endsAt,
  endReason: apiKeys.endReason,
  revokedReason: apiKeys.revokedReason,
  lastUsedAt: apiKeys.lastUsedAt,
  replacedByStart: replacement.start,
};

/** A request's keys, newest first (the requester's view). */
export function keysOfRequest(db: Queryable, requesterId: string, requestId: string) {
  return db
    .select(keyColumns)
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .leftJoin(replacement, eq(replacement.id, apiKeys.replacedById))
    .where(and(eq(apiKeys.requestId, requestId), eq(accessRequests.requesterId, requesterId)))
    .orderBy(desc(apiKeys.createdAt));
}

/** The key archive of one of the user's apps: every key, past and present. */
export function keysOfApp(db: Queryable, ownerId: string, appId: string) {
  return db
    .select({ ...keyColumns, planName: sql<string>`${accessRequests.plan}->>'name'` })
    .from(apiKeys)
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .leftJoin(replacement, eq(replacement.id, apiKeys.replacedById))
    .where(and(eq(apiKeys.appId, appId), eq(apps.ownerId, ownerId)))
    .orderBy(desc(apiKeys.createdAt));
}

export const ADMIN_KEYS_PAGE = 50;

/**
 * /admin/keys: keys on requests the approver may decide, searchable by key start, a whole pasted key
 * (matched by its hash, the only form stored), app, requester or product. Newest first, keyset-paged
 * (lib/paging/keyset.ts).
 */
export async function adminKeys(db: Queryable, actor: Actor, opts: { q?: string; live?: boolean } & KeysetPosition) {
  const keyset = keysetQuery(apiKeys.createdAt, apiKeys.id, "desc", opts);
  const q = opts.q?.trim();
  const pattern = q ? `%${escapeLike(q)}%` : null;
  const where = and(
    requestsVisibleTo(actor),
    pattern
      ? or(
          eq(apiKeys.keyHash, hashSecret(q ?? "")),
          ilike(apiKeys.start, pattern),
          ilike(apps.name, pattern),
          ilike(users.email, pattern),
          ilike(sql`coalesce(${users.name}, '')`, pattern),
          sql`exists (select 1 from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId}
                where ${accessRequestProducts.requestId} = ${accessRequests.id} and ${products.name} ilike ${pattern})`,
        )
      : undefined,
    opts.live ? and(or(isNull(apiKeys.endsAt), sql`${apiKeys.endsAt} > now()`), or(isNull(apiKeys.expiresAt), sql`${apiKeys.expiresAt} > now()`)) : undefined,
    keyset.where,
  );
  const rows = await db
    .select({
      ...keyColumns,
      appName: apps.name,
      requester: users.email,
      requesterId: accessRequests.requesterId,
      requestStatus: accessRequests.status,
      planName: sql<string>`${accessRequests.plan}->>'name'`,
      products: requestProductNames(),
      cursorAt: keyset.cursorAt,
    })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .leftJoin(replacement, eq(replacement.id, apiKeys.replacedById))
    .where(where)
    .orderBy(...keyset.orderBy)
    .limit(ADMIN_KEYS_PAGE + 1);
  const { rows: pageRows, nextCursor, previousCursor, startOver } = keysetPage(rows, ADMIN_KEYS_PAGE, keyset);
  // Whether this actor may revoke each key's request (their products of it, not yet revoked), or why not.
  const parts = await loadParts(db, [...new Set(pageRows.map((r) => r.requestId))]);
  const withRevoke = pageRows.map((r) => {
    const all = parts.get(r.requestId) ?? [];
    const p = can(actor, "request.revoke", { requesterId: r.requesterId, parts: all });
    return { ...r, mayRevoke: p.ok && partsOf(actor, all).some((x) => !x.revokedAt), whyNot: p.ok ? null : p.reason };
  });
  return { rows: withRevoke, nextCursor, previousCursor, startOver };
}
