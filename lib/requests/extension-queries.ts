import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, apiKeys, auditEvents, plans } from "@/db/schema";
import { currentKeyExpiry } from "./current-key";
import { extensionOpensAt } from "./extend-request";

/**
 * What the requester's request page says about Extend: when the current key expires, how many days
 * an extension adds (the plan's key lifetime today), and the latest extension asked for (with the
 * approver's comment when it was denied). Null when the request is not the requester's.
 */
export async function extensionState(
  db: Queryable,
  requesterId: string,
  requestId: string,
  now = new Date(),
) {
  const [original] = await db
    .select({
      status: accessRequests.status,
      days: plans.keyLifetimeDays,
      durationDays: accessRequests.durationDays,
    })
    .from(accessRequests)
    .innerJoin(plans, eq(plans.id, accessRequests.planId))
    .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, requesterId)));
  if (!original) return null;
  const keyExpiresAt = await currentKeyExpiry(db, requestId);
  const [latest] = await db
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      createdAt: accessRequests.createdAt,
      decidedAt: accessRequests.decidedAt,
      // Qualified by hand: a one-table select leaves its columns unqualified, and inside this
      // subquery a bare "id" would be the audit event's.
      comment: sql<string | null>`(select ae.comment from ${auditEvents} ae
        where ae.subject_type = 'request' and ae.subject_id = "access_requests"."id" and ae.action = 'request.denied'
        order by ae.created_at desc limit 1)`,
    })
    .from(accessRequests)
    .where(
      and(
        eq(accessRequests.extendsRequestId, requestId),
        eq(accessRequests.requesterId, requesterId),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(1);
  const expiresAt = keyExpiresAt;
  const days = original.days ?? original.durationDays;
  const opensAt = expiresAt && days ? extensionOpensAt(expiresAt, days) : null;
  return {
    expiresAt,
    days,
    /** Before this the key has more than one extension's length left (extendRequest refuses). */
    opensAt,
    /** Whether the requester may ask now (extendRequest checks again). */
    mayAsk:
      original.status === "available" &&
      expiresAt !== null &&
      expiresAt > now &&
      opensAt !== null &&
      opensAt <= now &&
      latest?.status !== "pending",
    latest: latest ?? null,
  };
}

/** For My requests: each available request's current key expiry, and whether an extension waits. */
export async function expiryOfRequests(db: Queryable, requestIds: readonly string[]) {
  const map = new Map<string, { expiresAt: Date | null; extensionPending: boolean }>();
  if (requestIds.length === 0) return map;
  const rows = await db
    .select({
      requestId: apiKeys.requestId,
      expiresAt: apiKeys.expiresAt,
      extensionPending: sql<boolean>`exists (select 1 from ${accessRequests} e where e.extends_request_id = "api_keys"."request_id" and e.status = 'pending')`,
    })
    .from(apiKeys)
    .where(
      and(
        inArray(apiKeys.requestId, [...requestIds]),
        isNull(apiKeys.endReason),
        isNull(apiKeys.revokedAt),
      ),
    );
  for (const r of rows)
    map.set(r.requestId, { expiresAt: r.expiresAt, extensionPending: r.extensionPending });
  return map;
}
