import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, apps } from "@/db/schema";
import { applyTransition } from "@/lib/requests/state-machine";
import { recordEvent } from "@/lib/audit/record-event";
import { notFound } from "@/lib/errors";

/**
 * Soft-deletes the owner's app: the row stays for the requests and audit trail that refer to it,
 * but it disappears everywhere. The guarded UPDATE means of two concurrent deletes exactly one wins.
 */
export async function deleteApp(tx: Queryable, ownerId: string, id: string): Promise<void> {
  await tx.transaction(async (trx) => {
    const now = new Date();
    const [app] = await trx
      .update(apps)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(apps.id, id), eq(apps.ownerId, ownerId), isNull(apps.deletedAt)))
      .returning({ id: apps.id, name: apps.name });
    if (!app) throw notFound("This app");
    await recordEvent(trx, {
      actorId: ownerId,
      action: "app.deleted",
      subjectType: "app",
      subjectId: app.id,
      data: { name: app.name },
    });
    // Requests still waiting for the deleted app are cancelled with it (live keys: see the keys module).
    const open = await trx
      .select({ id: accessRequests.id })
      .from(accessRequests)
      .where(and(eq(accessRequests.appId, app.id), inArray(accessRequests.status, ["pending", "approved"])))
      // In id order, the order a revoke and a decision lock requests in, so the two never deadlock.
      .orderBy(accessRequests.id)
      .for("update");
    for (const r of open) {
      await applyTransition(trx, {
        requestId: r.id,
        transition: "cancel",
        actorId: ownerId,
        requesterId: ownerId,
        comment: "The app was deleted.",
      });
    }
  });
}
