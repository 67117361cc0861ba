import { asc, eq, inArray, isNull, or } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans, productPlans } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import type { Actor } from "./product-access";

export type OfferablePlan = { id: string; name: string; description: string; autoApprove: boolean; ownerId: string | null };

/**
 * Plans the actor may offer on a product: admins any plan; owners the shared plans (no owner), their
 * own, and whatever the product already offers (an admin may have added another owner's plan).
 */
export async function offerablePlans(db: Queryable, actor: Actor, productId: string | null): Promise<OfferablePlan[]> {
  const offered = productId ? db.select({ id: productPlans.planId }).from(productPlans).where(eq(productPlans.productId, productId)) : null;
  const visible =
    actor.role === "admin"
      ? undefined
      : or(isNull(plans.ownerId), eq(plans.ownerId, actor.id), ...(offered ? [inArray(plans.id, offered)] : []));
  return db
    .select({ id: plans.id, name: plans.name, description: plans.description, autoApprove: plans.autoApprove, ownerId: plans.ownerId })
    .from(plans)
    .where(visible)
    .orderBy(asc(plans.name));
}

/** Refuses plan ids the actor may not offer (or that do not exist), naming the field. */
export async function assertOfferable(db: Queryable, actor: Actor, productId: string | null, planIds: readonly string[]) {
  if (planIds.length === 0) return;
  const allowed = new Set((await offerablePlans(db, actor, productId)).map((p) => p.id));
  if (planIds.some((id) => !allowed.has(id))) {
    throw new DomainError("invalid", "Check the highlighted fields.", {
      planIds: "One of the chosen plans does not exist or is not yours to offer. Reload the page and choose again.",
    });
  }
}
