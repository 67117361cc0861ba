import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { accessRequestProducts, accessRequests, apps, productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError, notFound } from "@/lib/errors";
import { assertNoLiveAccess, createRequest, planSnapshot } from "./create-request";
import { requestFieldsSchema } from "./request-fields";
import { applyTransition } from "./state-machine";

/** Cancel (pending or approved), guarded in SQL: of concurrent cancels exactly one wins. */
export function cancelRequest(db: Database, userId: string, requestId: string) {
  return db.transaction((tx) =>
    applyTransition(tx, { requestId, transition: "cancel", actorId: userId, requesterId: userId }),
  );
}

const REMOVABLE = ["denied", "revoked", "expired", "cancelled", "completed"] as const;

/** Remove: hides a finished request from the requester's list. The record and its audit trail stay. */
export function removeRequest(db: Database, userId: string, requestId: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(accessRequests)
      .set({ hiddenAt: sql`now()` })
      .where(
        and(
          eq(accessRequests.id, requestId),
          eq(accessRequests.requesterId, userId),
          inArray(accessRequests.status, [...REMOVABLE]),
          isNull(accessRequests.hiddenAt),
        ),
      )
      .returning({ id: accessRequests.id });
    if (!row) {
      const [current] = await tx
        .select({ status: accessRequests.status, hiddenAt: accessRequests.hiddenAt })
        .from(accessRequests)
        .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, userId)));
      if (!current || current.hiddenAt) throw notFound("This request");
      throw new DomainError("conflict", `A ${current.status} request cannot be removed. Cancel it first.`);
    }
    await recordEvent(tx, { actorId: userId, action: "request.removed", subjectType: "request", subjectId: requestId });
    return row;
  });
}

/**
 * Resubmit a denied or revoked request: a new pending request with the same app, plan, products
 * and answers, linked to the old one, through approval again like any other.
 */
export function resubmitRequest(db: Database, ctx: { userId: string; baseUrl: string }, requestId: string) {
  return db.transaction(async (tx) => {
    // The row lock makes concurrent resubmits of one request queue up; the second sees the first's.
    const [old] = await tx
      .select()
      .from(accessRequests)
      .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, ctx.userId), isNull(accessRequests.hiddenAt)))
      .for("update");
    if (!old) throw notFound("This request");
    if (old.status !== "denied" && old.status !== "revoked") {
      throw new DomainError("conflict", `Only denied or revoked requests can be resubmitted; this one is ${old.status}.`);
    }
    const [already] = await tx
      .select({ id: accessRequests.id })
      .from(accessRequests)
      .where(eq(accessRequests.resubmittedFromId, old.id));
    if (already) {
      throw new DomainError("conflict", "This request was already resubmitted.", undefined, {
        href: `/requests/${already.id}`,
        label: "Open the new request",
      });
    }
    const [app] = await tx
      .select({ id: apps.id })
      .from(apps)
      .where(and(eq(apps.id, old.appId), isNull(apps.deletedAt)));
    if (!app) throw new DomainError("conflict", "The app of this request was deleted. Submit a new request from the cart.");

    const productIds = (
      await tx.select({ id: accessRequestProducts.productId }).from(accessRequestProducts).where(eq(accessRequestProducts.requestId, old.id))
    ).map((r) => r.id);
    const stillOffered = await tx
      .select({ id: products.id })
      .from(products)
      .innerJoin(productPlans, and(eq(productPlans.productId, products.id), eq(productPlans.planId, old.planId)))
      .where(and(inArray(products.id, productIds), eq(products.status, "published")));
    if (stillOffered.length !== productIds.length) {
      throw new DomainError("conflict", "Some of these products no longer offer this plan. Submit a new request from the catalogue.");
    }
    const plan = await planSnapshot(tx, old.planId);
    if (!requestFieldsSchema(plan.requestFields).safeParse(old.fields).success) {
      throw new DomainError("conflict", "The plan now asks for different details. Submit a new request from the catalogue.");
    }
    await assertNoLiveAccess(tx, old.appId, productIds);
    const created = await createRequest(tx, {
      requesterId: ctx.userId,
      appId: old.appId,
      planId: old.planId,
      productIds,
      reason: old.reason,
      fields: old.fields,
      startsAt: new Date(),
      durationDays: plan.keyLifetimeDays === null ? old.durationDays : Math.min(old.durationDays ?? plan.keyLifetimeDays, plan.keyLifetimeDays),
      resubmittedFromId: old.id,
      baseUrl: ctx.baseUrl,
    });
    await recordEvent(tx, {
      actorId: ctx.userId,
      action: "request.resubmitted",
      subjectType: "request",
      subjectId: old.id,
      data: { newRequestId: created.id },
    });
    return created;
  });
}
