import { and, desc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, auditEvents, plans } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { handoffUrl, mintHandoffReference } from "./handoff-reference";

/**
 * A plan that redirects the consumer (Tyk's "Redirect Key Request"): after submitting, the cart
 * sends the consumer to the plan's URL with a signed reference (handoff-reference.ts); the third
 * party there confirms (approves) or cancels the request through the REST API. Meanwhile the
 * request waits, pending — never approved automatically.
 *
 * The URL the request was sent to is kept on its `request.redirected` audit event, so the request
 * keeps its hand-off even if the plan's URL changes later, and the timeline says where it went.
 */
export const REDIRECTED_ACTION = "request.redirected";

/** The plan's redirect URL when it is one a browser can be sent to (http or https; the plan form checks it when saved). */
export async function planRedirectUrl(db: Queryable, planId: string) {
  const [plan] = await db.select({ redirectUrl: plans.redirectUrl }).from(plans).where(eq(plans.id, planId));
  return browsable(plan?.redirectUrl ?? null);
}

function browsable(raw: string | null) {
  if (!raw?.trim()) return null;
  try {
    const url = new URL(raw.trim());
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** The host the consumer will be sent to, for the cart's note (null: the plan does not redirect). */
export function redirectHost(raw: string | null) {
  const url = browsable(raw);
  return url ? new URL(url).host : null;
}

/** Records, in the request's transaction, that it waits for the third party at `redirectUrl`. */
export async function recordRedirect(tx: Queryable, input: { requestId: string; planName: string; redirectUrl: string; autoApproveWaived: boolean }) {
  const host = new URL(input.redirectUrl).host;
  await recordEvent(tx, {
    actorId: null,
    actorType: "system",
    action: REDIRECTED_ACTION,
    subjectType: "request",
    subjectId: input.requestId,
    comment: `The ${input.planName} plan sends the requester to ${host}; the request waits for the third party there to confirm it.`,
    data: { redirectUrl: input.redirectUrl, ...(input.autoApproveWaived ? { autoApproveWaived: true } : {}) },
  });
}

/** Where the request was sent to wait for its third party, or null when its plan does not redirect. */
export async function redirectUrlOf(db: Queryable, requestId: string) {
  const [event] = await db
    .select({ url: sql<string | null>`${auditEvents.data}->>'redirectUrl'` })
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, "request"), eq(auditEvents.subjectId, requestId), eq(auditEvents.action, REDIRECTED_ACTION)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return browsable(event?.url ?? null);
}

/**
 * Where to send the requester for their request now: the third party's URL with a fresh reference,
 * while the request is theirs, pending and handed off; otherwise null (show the request instead).
 */
export async function consumerRedirect(db: Queryable, input: { requestId: string; requesterId: string; issuer: string; now?: Date }) {
  const [request] = await db
    .select({ id: accessRequests.id, appId: accessRequests.appId, planId: accessRequests.planId })
    .from(accessRequests)
    .where(and(eq(accessRequests.id, input.requestId), eq(accessRequests.requesterId, input.requesterId), eq(accessRequests.status, "pending")));
  if (!request) return null;
  const redirectUrl = await redirectUrlOf(db, request.id);
  if (!redirectUrl) return null;
  const reference = await mintHandoffReference(db, { requestId: request.id, appId: request.appId, planId: request.planId, issuer: input.issuer, now: input.now });
  return handoffUrl(redirectUrl, reference, request.id);
}
