import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apiKeys } from "@/db/schema";

/** A request's current key: not rolled, revoked, checked in or expired by the sweep (end_reason is null). */
export const currentKeyOf = (requestId: string) =>
  and(eq(apiKeys.requestId, requestId), isNull(apiKeys.endReason), isNull(apiKeys.revokedAt));

/** When the request's current key expires (null: no current key, or one that never expires). */
export async function currentKeyExpiry(db: Queryable, requestId: string) {
  const [key] = await db
    .select({ expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(currentKeyOf(requestId))
    .orderBy(desc(apiKeys.createdAt))
    .limit(1);
  return key?.expiresAt ?? null;
}
