import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apps } from "@/db/schema";
import { DomainError } from "@/lib/errors";

/**
 * A consumer's live apps have different names (ignoring case), so pickers and key lists are never
 * ambiguous; a deleted app's name is free again. Call inside the transaction that writes the name:
 * the owner's lock makes two concurrent saves of one name take turns.
 */
export async function assertAppNameFree(tx: Queryable, ownerId: string, name: string, field: string, exceptId?: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`apps:${ownerId}`}))`);
  const [taken] = await tx
    .select({ id: apps.id })
    .from(apps)
    .where(
      and(
        eq(apps.ownerId, ownerId),
        isNull(apps.deletedAt),
        sql`lower(${apps.name}) = lower(${name})`,
        exceptId ? ne(apps.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (taken) {
    const message = `You already have an app called “${name}”. Choose another name, or use that app.`;
    throw new DomainError("conflict", message, { [field]: message });
  }
}
