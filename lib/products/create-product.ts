import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { assertOfferable } from "./offerable-plans";
import { type Actor, assertManager } from "./product-access";
import { asSlugTaken, assertOpenApi, assertSlugFree } from "./product-checks";
import { parseProductFields } from "./product-schema";

/** Creates a draft product owned by the actor, with the plans it offers, audited in one transaction. */
export async function createProduct(db: Queryable, actor: Actor, input: unknown) {
  assertManager(actor);
  const { planIds, ...fields } = parseProductFields(input);
  await assertOpenApi(fields.openapi);
  return db
    .transaction(async (tx) => {
      await assertSlugFree(tx, fields.slug, null);
      await assertOfferable(tx, actor, null, planIds);
      const [product] = await tx
        .insert(products)
        .values({ ...fields, ownerId: actor.id, status: "draft" })
        .returning();
      if (!product) throw new Error("insert into products returned no row");
      if (planIds.length > 0) await tx.insert(productPlans).values(planIds.map((planId) => ({ productId: product.id, planId })));
      await recordEvent(tx, {
        actorId: actor.id,
        action: "product.created",
        subjectType: "product",
        subjectId: product.id,
        data: { name: product.name, slug: product.slug, planIds, openapi: product.openapi !== null },
      });
      return product;
    })
    .catch(asSlugTaken);
}
