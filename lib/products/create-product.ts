import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { productPlans, products, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError } from "@/lib/errors";
import { assertOfferable } from "./offerable-plans";
import { type Actor, assertManager } from "./product-access";
import { asSlugTaken, assertOpenApi, assertSlugFree } from "./product-checks";
import { parseProductFields } from "./product-schema";

/**
 * Creates a draft product owned by the actor, with the plans it offers, audited in one transaction.
 * An API key is no person, so it names the owner (`ownerId`: an enabled owner or admin person);
 * a person may name another owner only as an admin.
 */
export async function createProduct(db: Queryable, actor: Actor, input: unknown, options: { ownerId?: string } = {}) {
  assertManager(actor);
  const ownerId = options.ownerId ?? actor.id;
  if (ownerId !== actor.id && actor.role !== "admin") throw new DomainError("forbidden", "Only an admin can create a product for another owner.");
  if (actor.kind === "apiKey" && ownerId === actor.id) throw ownerRefused();
  const { planIds, ...fields } = parseProductFields(input);
  await assertOpenApi(fields.openapi);
  return db
    .transaction(async (tx) => {
      if (ownerId !== actor.id) {
        const [owner] = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, ownerId), eq(users.kind, "person"), inArray(users.role, ["owner", "admin"]), isNull(users.disabledAt)))
          .for("share");
        if (!owner) throw ownerRefused();
      }
      await assertSlugFree(tx, fields.slug, null);
      await assertOfferable(tx, actor, null, planIds);
      const [product] = await tx
        .insert(products)
        .values({ ...fields, ownerId, status: "draft" })
        .returning();
      if (!product) throw new Error("insert into products returned no row");
      if (planIds.length > 0) await tx.insert(productPlans).values(planIds.map((planId) => ({ productId: product.id, planId })));
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

const ownerRefused = () =>
  new DomainError("invalid", "Check the highlighted fields.", {
    ownerEmail: "The owner must be an enabled person with the role owner or admin (an API access key cannot own a product).",
  });
