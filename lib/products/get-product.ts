import { asc, eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans, productPlans, products } from "@/db/schema";
import { type Actor, manageableProduct } from "./product-access";

export type OfferedPlan = { id: string; name: string; recommended: boolean };
export type EditableProduct = typeof products.$inferSelect & { planIds: string[]; offers: OfferedPlan[] };

/** A product the actor may manage, with the plans it offers in the owner's order; null when unknown or someone else's. */
export async function getManagedProduct(db: Queryable, actor: Actor, id: string): Promise<EditableProduct | null> {
  const [product] = await db.select().from(products).where(manageableProduct(actor, id));
  if (!product) return null;
  const offers = await db
    .select({ id: productPlans.planId, name: plans.name, recommended: productPlans.recommended })
    .from(productPlans)
    .innerJoin(plans, eq(plans.id, productPlans.planId))
    .where(eq(productPlans.productId, id))
    .orderBy(asc(productPlans.position), asc(plans.name));
  return { ...product, planIds: offers.map((r) => r.id), offers };
}
