import { and, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { apiKeys, claimLinks, oauthClients } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError } from "@/lib/errors";
import { openReviews } from "@/lib/reviews/open-reviews";
import { applyTransition } from "./state-machine";

type Ending = {
  requestIds: readonly string[];
  transition: "cancel" | "revoke" | "expire";
  actorId: string | null;
  actorType?: "user" | "system";
  /** Said in each request's audit event (and by the caller's email). */
  reason: string;
  now: Date;
};

/**
 * Ends requests inside `tx` by one guarded transition: every key that still works stops now and
 * every unused claim link dies. A request that already left the transition's from-states (the
 * requester cancelled it a moment ago) is skipped, not an error. Returns what ended, so the
 * caller sends the email its occasion needs: one per request, or one summary per person.
 */
export async function endRequests(tx: Tx, input: Ending) {
  const ended: string[] = [];
  for (const requestId of input.requestIds) {
    try {
      await applyTransition(tx, {
        requestId,
        transition: input.transition,
        actorId: input.actorId,
        actorType: input.actorType ?? "user",
        comment: input.reason,
      });
      ended.push(requestId);
    } catch (e) {
      if (!(e instanceof DomainError && e.code === "conflict")) throw e;
    }
  }
  if (ended.length === 0) return { requestIds: ended, keys: [] };
  const revoking = input.transition === "revoke";
  const keys = await tx
    .update(apiKeys)
    .set({
      endsAt: input.now,
      // A revocation names every key it stopped, rolled ones in their grace period included.
      endReason: revoking ? "revoked" : sql`coalesce(${apiKeys.endReason}, ${input.transition === "expire" ? "expired" : "revoked"}::key_end_reason)`,
      ...(revoking ? { revokedAt: input.now, revokedById: input.actorId, revokedReason: input.reason } : {}),
    })
    .where(and(inArray(apiKeys.requestId, ended), or(isNull(apiKeys.endsAt), gt(apiKeys.endsAt, input.now))))
    .returning({ id: apiKeys.id, start: apiKeys.start, requestId: apiKeys.requestId });
  for (const k of keys) {
    await recordEvent(tx, {
      actorId: input.actorId,
      actorType: input.actorType ?? "user",
      action: revoking ? "key.revoked" : "key.ended",
      subjectType: "key",
      subjectId: k.id,
      comment: input.reason,
      data: { requestId: k.requestId, start: k.start },
    });
  }
  // An OAuth 2.0 product's request: a revocation revokes its client as it revokes a key (the request's
  // status already stops it), so the client's row and the oauth_client.revoked event say so.
  const clients = revoking
    ? await tx
        .update(oauthClients)
        .set({ endsAt: input.now, endReason: "revoked", revokedAt: input.now, revokedById: input.actorId, revokedReason: input.reason })
        .where(and(inArray(oauthClients.requestId, ended), isNull(oauthClients.endReason)))
        .returning({ id: oauthClients.id, clientId: oauthClients.clientId })
    : [];
  for (const c of clients) {
    await recordEvent(tx, {
      actorId: input.actorId,
      actorType: input.actorType ?? "user",
      action: "oauth_client.revoked",
      subjectType: "key",
      subjectId: c.id,
      comment: input.reason,
      data: { clientId: c.clientId },
    });
  }
  await tx
    .update(claimLinks)
    .set({ supersededAt: input.now })
    .where(and(inArray(claimLinks.requestId, ended), isNull(claimLinks.usedAt), isNull(claimLinks.supersededAt)));
  if (revoking) await openReviews(tx, ended, "revoked");
  return { requestIds: ended, keys };
}
