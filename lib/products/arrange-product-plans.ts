import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError } from "@/lib/errors";
import { type Actor, assertManager, manageableProduct, productNotFound } from "./product-access";
import { parseProductInput, productIdSchema } from "./product-schema";

const planId = z.uuid({ error: "That plan is not offered by this product. Reload the page and try again." });

export const arrangeProductPlansSchema = z.object({
  id: productIdSchema,
  /** Every plan the product offers, in the order its page shows them. */
  planIds: z.preprocess(
    (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z.array(planId).max(50, "A product offers at most 50 plans."),
  ),
  /** The plan marked Recommended, or none. */
  recommendedPlanId: z.preprocess((v) => (v === "" || v === undefined ? null : v), planId.nullable()),
});

/**
 * Sets the order of a product's plans on its page and which one (if any) is Recommended. The owner
 * of the product or an admin only. The list must name exactly the plans the product offers now (a
 * list from a stale page is refused rather than half applied); an unchanged arrangement writes nothing.
 */
export async function arrangeProductPlans(db: Queryable, actor: Actor, input: unknown) {
  assertManager(actor);
  const { id, planIds, recommendedPlanId } = parseProductInput(arrangeProductPlansSchema, input);
  return db.transaction(async (tx) => {
    const [product] = await tx
      .select({ id: products.id, slug: products.slug, name: products.name, status: products.status })
      .from(products)
      .where(manageableProduct(actor, id))
      .for("update");
    if (!product) throw productNotFound();
    const current = await tx
      .select({ planId: productPlans.planId, position: productPlans.position, recommended: productPlans.recommended })
      .from(productPlans)
      .where(eq(productPlans.productId, id))
      .orderBy(productPlans.position, productPlans.planId);
    const offered = new Set(current.map((r) => r.planId));
    if (new Set(planIds).size !== planIds.length || planIds.length !== offered.size || planIds.some((p) => !offered.has(p))) {
      throw new DomainError("conflict", "The plans of this product changed since the page was loaded. Reload the page and arrange them again.");
    }
    if (recommendedPlanId !== null && !offered.has(recommendedPlanId)) {
      throw new DomainError("invalid", "Only a plan this product offers can be recommended.", {
        recommendedPlanId: "Choose one of the product's plans.",
      });
    }
    const before = { order: current.map((r) => r.planId), recommended: current.find((r) => r.recommended)?.planId ?? null };
    const positionsSame = current.every((r) => r.position === planIds.indexOf(r.planId));
    if (positionsSame && before.recommended === recommendedPlanId && current.filter((r) => r.recommended).length <= 1) {
      return { product, changed: false };
    }
    for (const [position, plan] of planIds.entries()) {
      await tx
        .update(productPlans)
        .set({ position, recommended: plan === recommendedPlanId })
        .where(and(eq(productPlans.productId, id), eq(productPlans.planId, plan)));
    }
    const changed = [
      ...(before.order.join() !== planIds.join() || !positionsSame ? ["planOrder"] : []),
      ...(before.recommended !== recommendedPlanId ? ["recommendedPlan"] : []),
    ];
    await recordEvent(tx, {
      actorId: actor.id,
      action: "product.updated",
      subjectType: "product",
      subjectId: id,
      data: { changed, from: before, to: { order: planIds, recommended: recommendedPlanId } },
    });
    return { product, changed: true };
  });
}
