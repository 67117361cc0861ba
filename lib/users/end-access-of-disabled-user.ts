import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { accessRequests, apps, users } from "@/db/schema";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { endRequests } from "@/lib/requests/end-requests";
import { requestProductNames } from "@/lib/requests/product-names";

const REASON = "The account was disabled by an administrator.";

/**
 * What disabling a person ends, inside the disabling transaction. Their pending and approved
 * requests are always cancelled, so no approver can approve them and no claim link reaches them.
 * Their available requests are revoked (keys stop now) unless the administrator keeps their keys.
 * Each ending is audited; the person gets ONE email listing what ended and what still works.
 */
export async function endAccessOfDisabledUser(
  tx: Tx,
  input: { userId: string; actorId: string; revokeKeys: boolean; portalUrl: string; now: Date },
) {
  // Locked in id order, the order a revoke and a decision lock requests in, so disabling someone
  // while their requests are revoked or decided waits instead of deadlocking; then taken in the
  // order they were made, for the email.
  const live = (
    await tx
      .select({
        id: accessRequests.id,
        status: accessRequests.status,
        createdAt: accessRequests.createdAt,
        appName: apps.name,
        planName: sql<string>`${accessRequests.plan}->>'name'`,
        productNames: requestProductNames(),
      })
      .from(accessRequests)
      .innerJoin(apps, eq(apps.id, accessRequests.appId))
      .where(and(eq(accessRequests.requesterId, input.userId), inArray(accessRequests.status, ["pending", "approved", "available"])))
      .orderBy(accessRequests.id)
      .for("update", { of: accessRequests })
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const ending = { actorId: input.actorId, reason: REASON, now: input.now };
  const cancelled = await endRequests(tx, {
    ...ending,
    requestIds: live.filter((r) => r.status !== "available").map((r) => r.id),
    transition: "cancel",
  });
  const available = live.filter((r) => r.status === "available").map((r) => r.id);
  const revoked = input.revokeKeys
    ? await endRequests(tx, { ...ending, requestIds: available, transition: "revoke" })
    : { requestIds: [] as string[], keys: [] };

  const summary = ({ appName, planName, productNames }: (typeof live)[number]) => ({ appName, planName, productNames });
  const of = (ids: readonly string[]) => live.filter((r) => ids.includes(r.id)).map(summary);
  const kept = input.revokeKeys ? [] : live.filter((r) => r.status === "available").map(summary);
  if (cancelled.requestIds.length + revoked.requestIds.length > 0) {
    const [person] = await tx
      .select({ email: users.email, name: sql<string>`coalesce(${users.name}, ${users.email})` })
      .from(users)
      .where(eq(users.id, input.userId));
    if (person) {
      await enqueueEmail(tx, {
        to: person.email,
        template: "account-disabled",
        props: { requesterName: person.name, portalUrl: input.portalUrl, cancelled: of(cancelled.requestIds), revoked: of(revoked.requestIds), kept },
      });
    }
  }
  return { cancelled: cancelled.requestIds.length, revokedRequests: revoked.requestIds.length, revokedKeys: revoked.keys.length };
}
