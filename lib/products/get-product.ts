import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { type Actor, manageableProduct } from "./product-access";

export type EditableProduct = typeof products.$inferSelect & { planIds: string[] };

/** A product the actor may manage, with the plans it offers; null when unknown or someone else's. */
export async function getManagedProduct(db: Queryable, actor: Actor, id: string): Promise<EditableProduct | null> {
  const [product] = await db.select().from(products).where(manageableProduct(actor, id));
  if (!product) return null;
  const offered = await db.select({ id: productPlans.planId }).from(productPlans).where(eq(productPlans.productId, id));
  return { ...product, planIds: offered.map((r) => r.id) };
}
