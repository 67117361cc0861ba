import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { assertOfferable } from "./offerable-plans";
import { type Actor, assertManager, resolveOwner } from "./product-access";
import { asSlugTaken, assertOpenApi, assertSlugFree } from "./product-checks";
import { parseProductFields } from "./product-schema";

/**
 * Creates a draft product owned by the actor, with the plans it offers, audited in one transaction.
 * An API key is no person, so it names the owner (`ownerId`: an enabled owner or admin person);
 * a person may name another owner only as an admin.
 */
export async function createProduct(db: Queryable, actor: Actor, input: unknown, options: { ownerId?: string } = {}) {
  assertManager(actor);
  const { planIds, ...fields } = parseProductFields(input);
  await assertOpenApi(fields.openapi);
  return db
    .transaction(async (tx) => {
      const ownerId = await resolveOwner(tx, actor, options.ownerId);
      await assertSlugFree(tx, fields.slug, null);
      await assertOfferable(tx, actor, null, planIds);
      const [product] = await tx
        .insert(products)
        .values({ ...fields, ownerId, status: "draft" })
        .returning();
      if (!product) throw new Error("insert into products returned no row");
      if (planIds.length > 0) await tx.insert(productPlans).values(planIds.map((planId, position) => ({ productId: product.id, planId, position })));
      await recordEvent(tx, {
        actorId: actor.id,
        action: "product.created",
        subjectType: "product",
        subjectId: product.id,
        data: { name: product.name, slug: product.slug, planIds, openapi: product.openapi !== null, ...(ownerId !== actor.id ? { ownerId } : {}) },
      });
      return product;
    })
    .catch(asSlugTaken);
}
