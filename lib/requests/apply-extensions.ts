import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { accessRequests, apiKeys } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { formatDateTime } from "@/lib/format";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { currentKeyOf } from "./current-key";
import { emailFacts } from "./decision-emails";
import { endRequests } from "./end-requests";

type Ctx = {
  actorId: string | null;
  actorType: "user" | "auto-approve";
  baseUrl: string;
  now: Date;
};

/**
 * What approving an extension does, in the deciding transaction, for extensions that just became
 * approved: the extended request's current key expires `durationDays` later than now or its current
 * expiry, whichever is later (the same key: its hash, start and products do not change), its expiry
 * warning may come again, and the extension is done (completed, it never has a key of its own to
 * claim). Audited on the extended request (`request.extended`, webhook access_request.extended);
 * the requester is emailed the new expiry. An extension whose access ended meanwhile (revoked,
 * checked in, expired) is cancelled by Portico instead: nothing is extended.
 */
export async function applyExtensions(tx: Tx, extensionIds: readonly string[], ctx: Ctx) {
  if (extensionIds.length === 0) return;
  const rows = await tx
    .select({
      id: accessRequests.id,
      originalId: accessRequests.extendsRequestId,
      days: accessRequests.durationDays,
    })
    .from(accessRequests)
    .where(
      and(inArray(accessRequests.id, [...extensionIds]), eq(accessRequests.status, "approved")),
    )
    .orderBy(asc(accessRequests.extendsRequestId));
  const ended: string[] = [];
  const extended: { originalId: string; keyStart: string; expiresAt: Date }[] = [];
  for (const r of rows) {
    if (!r.originalId || !r.days) continue;
    // The extended request locked (in a fixed order across a bulk decision), so a revoke or check-in
    // at the same moment either waits for this or is seen here as not available.
    const [original] = await tx
      .select({ status: accessRequests.status })
      .from(accessRequests)
      .where(eq(accessRequests.id, r.originalId))
      .for("update");
    const [key] =
      original?.status === "available"
        ? await tx
            .select({ id: apiKeys.id, start: apiKeys.start, expiresAt: apiKeys.expiresAt })
            .from(apiKeys)
            .where(and(currentKeyOf(r.originalId), gt(apiKeys.expiresAt, ctx.now)))
            .for("update")
        : [];
    if (!key?.expiresAt) {
      ended.push(r.id);
      continue;
    }
    const from = key.expiresAt > ctx.now ? key.expiresAt : ctx.now;
    const expiresAt = new Date(from.getTime() + r.days * 86_400_000);
    await tx.update(apiKeys).set({ expiresAt, expiryWarnedAt: null }).where(eq(apiKeys.id, key.id));
    await tx
      .update(accessRequests)
      .set({ status: "completed", updatedAt: sql`now()` })
      .where(and(eq(accessRequests.id, r.id), eq(accessRequests.status, "approved")));
    await recordEvent(tx, {
      actorId: ctx.actorId,
      actorType: ctx.actorType,
      action: "request.extended",
      subjectType: "request",
      subjectId: r.originalId,
      comment: `The key ${key.start}… now expires on ${formatDateTime(expiresAt)} (was ${formatDateTime(key.expiresAt)}).`,
      data: {
        extensionId: r.id,
        keyId: key.id,
        previousExpiresAt: key.expiresAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
        days: r.days,
      },
    });
    extended.push({ originalId: r.originalId, keyStart: key.start, expiresAt });
  }
  await endRequests(tx, {
    requestIds: ended,
    transition: "cancel",
    actorId: null,
    actorType: "system",
    reason: "The access ended before its extension was approved: nothing was extended.",
    now: ctx.now,
  });
  const facts = new Map(
    (
      await emailFacts(
        tx,
        extended.map((e) => e.originalId),
      )
    ).map((f) => [f.id, f]),
  );
  await enqueueEmails(
    tx,
    extended.flatMap((e) => {
      const f = facts.get(e.originalId);
      if (!f || f.requesterDisabled) return [];
      return [
        {
          to: f.email,
          template: "extension-approved" as const,
          props: {
            requesterName: f.name,
            appName: f.appName,
            planName: f.planName,
            productNames: f.productNames,
            keyStart: e.keyStart,
            expiresAt: formatDateTime(e.expiresAt),
            requestUrl: `${ctx.baseUrl}/requests/${e.originalId}`,
          },
        },
      ];
    }),
  );
}
