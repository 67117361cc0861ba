import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apps } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { notFound } from "@/lib/errors";
import { assertAppNameFree } from "./app-name";
import { type AppInput, parseAppFields } from "./app-schema";
import type { App } from "./get-app";

/**
 * Renames or re-describes the owner's app. An unknown, deleted or foreign id is "not found" and
 * nothing is written; saving unchanged fields writes nothing either.
 */
export async function updateApp(tx: Queryable, ownerId: string, id: string, input: AppInput): Promise<App> {
  const fields = parseAppFields(input);
  return tx.transaction(async (trx) => {
    const mine = and(eq(apps.id, id), eq(apps.ownerId, ownerId), isNull(apps.deletedAt));
    // Locked so the audit event's "from" values are the ones this update replaces.
    const [before] = await trx.select().from(apps).where(mine).for("update");
    if (!before) throw notFound("This app");
    const changed = (["name", "description"] as const).filter((k) => before[k] !== fields[k]);
    if (changed.length === 0) return before;
    if (changed.includes("name")) await assertAppNameFree(trx, ownerId, fields.name, "name", id);

    const [app] = await trx
      .update(apps)
      .set({ ...fields, updatedAt: new Date() })
      .where(mine)
      .returning();
    if (!app) throw notFound("This app");
    await recordEvent(trx, {
      actorId: ownerId,
      action: "app.updated",
      subjectType: "app",
      subjectId: app.id,
      data: { changed, ...(changed.includes("name") ? { from: { name: before.name }, to: { name: app.name } } : {}) },
    });
    return app;
  });
}
