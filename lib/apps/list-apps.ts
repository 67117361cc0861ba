import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apps } from "@/db/schema";
import type { App } from "./get-app";

/** The owner's apps, newest first; deleted apps are left out. */
export async function listApps(tx: Queryable, ownerId: string): Promise<App[]> {
  return tx
    .select()
    .from(apps)
    .where(and(eq(apps.ownerId, ownerId), isNull(apps.deletedAt)))
    .orderBy(desc(apps.createdAt), desc(apps.id));
}
