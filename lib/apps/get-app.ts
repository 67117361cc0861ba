import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apps } from "@/db/schema";

export type App = typeof apps.$inferSelect;

/** The owner's app with this id, or null when it is unknown, deleted or someone else's. */
export async function getApp(tx: Queryable, ownerId: string, id: string): Promise<App | null> {
  const [row] = await tx
    .select()
    .from(apps)
    .where(and(eq(apps.id, id), eq(apps.ownerId, ownerId), isNull(apps.deletedAt)))
    .limit(1);
  return row ?? null;
}
