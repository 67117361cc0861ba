import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { accessRequests, users } from "@/db/schema";
import { type Actor, assertCan, loadParts, partsOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { emailFacts } from "./decision-emails";
import { applyTransition } from "./state-machine";

/**
 * Cancels a request on the requester's behalf — the third party a redirecting plan sends the
 * consumer to (lib/webhooks/redirect-consumer.ts) calling POST /access-requests/{id}/cancel when the
 * checkout is abandoned or refused. Only while it is pending, or approved with its key not claimed
 * (state-machine.ts `cancel`). Whoever may decide the request may cancel it (`request.decide`: an
 * approver with authority over one of its products, never on their own request) — while it is pending,
 * where their deny would end it anyway. Once approved, a request mixing products needs authority over
 * every one still live: an approver of one product only revokes their own, never the access another
 * owner approved. The state change,
 * its audit event (and so its `access_request.cancelled` webhook event) and the requester's email
 * commit together. The requester's own Cancel is requester-actions.ts cancelRequest.
 */
export async function cancelAccessRequest(db: Database, actor: Actor, input: { requestId: string; comment?: string | null; baseUrl: string }) {
  const comment = input.comment?.trim() || null;
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select({ id: accessRequests.id, requesterId: accessRequests.requesterId, status: accessRequests.status })
      .from(accessRequests)
      .where(and(eq(accessRequests.id, input.requestId), requestsVisibleTo(actor)))
      .for("update");
    if (!request) throw notFound("This request");
    const parts = (await loadParts(tx, [request.id])).get(request.id) ?? [];
    assertCan(actor, "request.decide", { requesterId: request.requesterId, parts });
    const mine = partsOf(actor, parts);
    const others = parts.filter((p) => !p.revokedAt && !mine.includes(p)).map((p) => p.productName);
    if (request.status !== "pending" && others.length > 0) {
      throw new DomainError("forbidden", `This approved request also gives access to ${others.join(", ")}, which you do not decide: revoke your products instead, or ask their owner or an admin to cancel it.`);
    }
    const cancelled = await applyTransition(tx, { requestId: request.id, transition: "cancel", actorId: actor.id, comment });

    const [by] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.id));
    const cancelledBy = actor.kind === "apiKey" ? actor.name : (by?.name ?? by?.email ?? "an approver");
    const facts = await emailFacts(tx, [request.id]);
    await enqueueEmails(
      tx,
      facts.map((f) => ({
        to: f.email,
        template: "cancelled" as const,
        props: {
          requesterName: f.name,
          appName: f.appName,
          planName: f.planName,
          productNames: f.productNames,
          cancelledBy,
          comment,
          requestUrl: `${input.baseUrl}/requests/${f.id}`,
        },
      })),
    );
    return cancelled;
  });
}
