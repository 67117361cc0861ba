import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertManager, manageableProduct, productNotFound } from "./product-access";
import { parseProductInput, productIdSchema } from "./product-schema";

export const setProductFeaturedSchema = z.object({
  id: productIdSchema,
  // A checkbox sends "on" when ticked and nothing when not; the API sends a boolean.
  featured: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
});

/**
 * Shows the product among the home page's featured products, or stops showing it. The owner of the
 * product or an admin only (someone else's product is "not found"); setting the value it already has
 * writes nothing.
 */
export async function setProductFeatured(db: Queryable, actor: Actor, input: unknown) {
  assertManager(actor);
  const { id, featured } = parseProductInput(setProductFeaturedSchema, input);
  return db.transaction(async (tx) => {
    const scope = manageableProduct(actor, id);
    const [before] = await tx.select({ featured: products.featured, slug: products.slug, name: products.name, status: products.status }).from(products).where(scope).for("update");
    if (!before) throw productNotFound();
    if (before.featured === featured) return { product: before, changed: false };
    await tx.update(products).set({ featured, updatedAt: new Date() }).where(scope);
    await recordEvent(tx, {
      actorId: actor.id,
      action: "product.updated",
      subjectType: "product",
      subjectId: id,
      data: { changed: ["featured"], from: { featured: before.featured }, to: { featured } },
    });
    return { product: { ...before, featured }, changed: true };
  });
}
