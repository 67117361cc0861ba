import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, type PlanSnapshot, plans, products, users, webhookEndpoints } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { hasAuthority, loadParts, userActor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { openReviews } from "@/lib/reviews/open-reviews";
import { planRedirectUrl, recordRedirect } from "@/lib/webhooks/redirect-consumer";
import { enqueueApprovedEmails } from "./decision-emails";
import { revokedBefore } from "./revoked-before";
import { enqueueNewRequestEmails } from "./new-request-emails";
import { applyTransition } from "./state-machine";

export const LIVE_STATUSES = ["pending", "approved", "available"] as const;

export type NewRequest = {
  requesterId: string;
  /** Who submitted it when not the requester (an API access key on the consumer's behalf). */
  submittedById?: string;
  appId: string;
  planId: string;
  productIds: string[];
  reason: string;
  fields: Record<string, string>;
  startsAt: Date;
  durationDays: number | null;
  resubmittedFromId?: string;
  baseUrl: string;
};

/**
 * The plan as a request keeps it. An External plan hands off only while its endpoint would hear of
 * the request: enabled, receiving access_request.created, and (given the request's `productIds`)
 * not limited to other products. Otherwise people decide it from the start.
 */
export async function planSnapshot(tx: Queryable, planId: string, productIds?: readonly string[]): Promise<PlanSnapshot> {
  const [row] = await tx
    .select({
      plan: plans,
      endpoint: {
        id: webhookEndpoints.id,
        name: webhookEndpoints.name,
        enabled: webhookEndpoints.enabled,
        eventTypes: webhookEndpoints.eventTypes,
        productIds: webhookEndpoints.productIds,
      },
    })
    .from(plans)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, plans.handoffEndpointId))
    .where(eq(plans.id, planId));
  if (!row) throw new DomainError("not_found", "That plan no longer exists.");
  const { plan, endpoint } = row;
  const hears =
    endpoint?.enabled &&
    (endpoint.eventTypes === null || endpoint.eventTypes.includes("access_request.created")) &&
    (endpoint.productIds === null || !productIds || productIds.some((id) => endpoint.productIds?.includes(id)));
  const handoff = endpoint && hears ? { endpointId: endpoint.id, endpointName: endpoint.name, timeoutHours: plan.handoffTimeoutHours } : undefined;
  return {
    name: plan.name,
    autoApprove: plan.autoApprove && !handoff,
    approvalsRequired: plan.approvalsRequired,
    keyLifetimeDays: plan.keyLifetimeDays,
    claimLinkLifetimeHours: plan.claimLinkLifetimeHours,
    rateLimitPerMinute: plan.rateLimitPerMinute,
    quotaPerMonth: plan.quotaPerMonth,
    enforceLimits: plan.enforceLimits,
    maxGraceHours: plan.maxGraceHours,
    reminderDays: plan.reminderDays,
    reviewRequired: plan.reviewRequired,
    reviewCommentRequired: plan.reviewCommentRequired,
    requestFields: plan.requestFields,
    ...(handoff ? { handoff } : {}),
    ...(plan.redirectUrl ? { redirectUrl: plan.redirectUrl } : {}),
  };
}

/**
 * Refuses a request when the app already has live (pending, approved or available) access to one
 * of the products. Takes a per-app lock first so two concurrent submits cannot both pass.
 */
export async function assertNoLiveAccess(tx: Tx, appId: string, productIds: readonly string[]) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`app:${appId}`}))`);
  const [existing] = await tx
    .select({ id: accessRequests.id, status: accessRequests.status, product: products.name })
    .from(accessRequests)
    .innerJoin(accessRequestProducts, eq(accessRequestProducts.requestId, accessRequests.id))
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(
      and(
        eq(accessRequests.appId, appId),
        inArray(accessRequests.status, [...LIVE_STATUSES]),
        inArray(accessRequestProducts.productId, [...productIds]),
      ),
    )
    .limit(1);
  if (existing) {
    throw new DomainError(
      "conflict",
      `This app already has ${existing.status === "pending" ? "a pending request" : "access"} for ${existing.product}. Use that request, or cancel it first.`,
      undefined,
      { href: `/requests/${existing.id}`, label: "Open the existing request" },
    );
  }
}

/**
 * The products of the request that its plan's owner has no authority over. An auto-approving plan
 * approves on its owner's behalf, so it may grant only what that person could approve: a shared
 * (ownerless) plan or an active admin's plan grants every product, an owner's plan only that
 * owner's products (an admin may offer an owner's plan on another owner's product).
 */
async function outsidePlanOwnerAuthority(tx: Tx, requestId: string, planId: string) {
  const [plan] = await tx
    .select({ ownerId: plans.ownerId, role: users.role, disabledAt: users.disabledAt })
    .from(plans)
    .leftJoin(users, eq(users.id, plans.ownerId))
    .where(eq(plans.id, planId));
  if (!plan?.ownerId) return [];
  const parts = (await loadParts(tx, [requestId])).get(requestId) ?? [];
  if (!plan.role) return parts;
  const planOwner = userActor({ id: plan.ownerId, role: plan.role, disabledAt: plan.disabledAt });
  return parts.filter((p) => !hasAuthority(planOwner, p));
}

/** Why an auto-approve plan's request waits for an approver instead, or null when it may approve now. */
export async function autoApprovalWithheld(tx: Tx, requestId: string, input: NewRequest) {
  const revoked = await revokedBefore(tx, input);
  if (revoked) {
    return { comment: "Access to these products was revoked before: an approver decides.", data: { revokedRequestId: revoked } };
  }
  const outside = await outsidePlanOwnerAuthority(tx, requestId, input.planId);
  if (outside.length > 0) {
    return {
      comment: `The plan's owner does not own ${outside.map((p) => p.productName).join(", ")}: the products' owners decide.`,
      data: { productIds: outside.map((p) => p.productId) },
    };
  }
  return null;
}

/**
 * Writes a request, its products, its audit event, and its jobs in `tx`. An auto-approve plan's
 * request is approved in the same transaction, unless access was revoked before or the plan's owner
 * lacks authority over a product (autoApprovalWithheld), or the plan redirects the consumer to a
 * third party who confirms it (recordRedirect); otherwise the approvers are emailed, or, on an
 * External plan, the third party decides first.
 */
export async function createRequest(tx: Tx, input: NewRequest) {
  const plan = await planSnapshot(tx, input.planId, input.productIds);
  const [request] = await tx
    .insert(accessRequests)
    .values({
      requesterId: input.requesterId,
      appId: input.appId,
      planId: input.planId,
      reason: input.reason,
      fields: input.fields,
      plan,
      startsAt: input.startsAt,
      durationDays: input.durationDays,
      resubmittedFromId: input.resubmittedFromId ?? null,
    })
    .returning();
  if (!request) throw new Error("access_requests insert returned no row");
  await tx.insert(accessRequestProducts).values(input.productIds.map((productId) => ({ requestId: request.id, productId })));
  const onBehalf = input.submittedById !== undefined && input.submittedById !== input.requesterId;
  await recordEvent(tx, {
    actorId: input.submittedById ?? input.requesterId,
    action: "request.submitted",
    subjectType: "request",
    subjectId: request.id,
    data: {
      planId: input.planId,
      productIds: input.productIds,
      appId: input.appId,
      resubmittedFromId: input.resubmittedFromId ?? null,
      ...(onBehalf ? { onBehalfOf: input.requesterId } : {}),
    },
  });

  // A plan that redirects the consumer to a third party (lib/webhooks/redirect-consumer.ts): the
  // request waits for it, pending, even on an auto-approve plan (the third party confirms it).
  const redirectUrl = await planRedirectUrl(tx, input.planId);
  if (redirectUrl) await recordRedirect(tx, { requestId: request.id, planName: plan.name, redirectUrl, autoApproveWaived: plan.autoApprove });
  const autoApprove = plan.autoApprove && !redirectUrl;

  const withheld = autoApprove ? await autoApprovalWithheld(tx, request.id, input) : null;
  if (withheld) {
    await recordEvent(tx, {
      actorId: null,
      actorType: "system",
      action: "request.auto_approve_withheld",
      subjectType: "request",
      subjectId: request.id,
      comment: withheld.comment,
      data: withheld.data,
    });
  }
  if (autoApprove && !withheld) {
    const approved = await applyTransition(tx, {
      requestId: request.id,
      transition: "approve",
      actorId: null,
      actorType: "auto-approve",
      comment: "Approved automatically by the plan.",
    });
    await enqueueApprovedEmails(tx, [approved.id], input.baseUrl);
    await openReviews(tx, [approved.id], "auto_approved");
    return approved;
  }

  // Handed off: the access_request.created event (recorded above) tells the third party; the
  // approvers hear of it only if nothing decides it in time (lib/requests/handoff-fallback.ts).
  if (plan.handoff) return request;

  await enqueueNewRequestEmails(tx, request.id, input.baseUrl);
  return request;
}
