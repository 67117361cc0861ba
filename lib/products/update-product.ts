import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError } from "@/lib/errors";
import { assertOfferable } from "./offerable-plans";
import { type Actor, assertManager, manageableProduct, productNotFound } from "./product-access";
import { asSlugTaken, assertOpenApi, assertSlugFree } from "./product-checks";
import { parseProductFields } from "./product-schema";

const EDITABLE = ["name", "slug", "summary", "description", "tags", "authMethod", "openapi"] as const;
// Short values worth keeping in the audit trail; descriptions and documents only show as "changed".
const LOGGED = new Set<string>(["name", "slug", "summary", "tags", "authMethod"]);

/**
 * Saves a product's fields and offered plans. Someone else's product (for an owner) or an unknown
 * id is "not found" and nothing is written; saving without a change writes nothing either.
 * Returns the product and the slug it had, so the caller can refresh both catalogue pages.
 */
export async function updateProduct(db: Queryable, actor: Actor, id: string, input: unknown) {
  assertManager(actor);
  const { planIds, ...fields } = parseProductFields(input);
  await assertOpenApi(fields.openapi);
  return db
    .transaction(async (tx) => {
      const scope = manageableProduct(actor, id);
      // Locked so the audit event's "from" values are the ones this update replaces.
      const [before] = await tx.select().from(products).where(scope).for("update");
      if (!before) throw productNotFound();
      if (before.status === "archived") {
        throw new DomainError("conflict", `“${before.name}” is archived, so it cannot be edited. Restore it first, then save your changes.`);
      }
      await assertOfferable(tx, actor, id, planIds);
      if (fields.slug !== before.slug) await assertSlugFree(tx, fields.slug, id);

      const offered = (await tx.select({ id: productPlans.planId }).from(productPlans).where(eq(productPlans.productId, id))).map((r) => r.id);
      const plansAdded = planIds.filter((p) => !offered.includes(p));
      const plansRemoved = offered.filter((p) => !planIds.includes(p));
      const changed = EDITABLE.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(fields[k]));
      if (changed.length === 0 && plansAdded.length === 0 && plansRemoved.length === 0) {
        return { product: before, previousSlug: before.slug, changed: false };
      }

      const [product] = await tx
        .update(products)
        .set({ ...fields, updatedAt: new Date() })
        .where(scope)
        .returning();
      if (!product) throw productNotFound();
      if (plansRemoved.length > 0) {
        await tx.delete(productPlans).where(and(eq(productPlans.productId, id), inArray(productPlans.planId, plansRemoved)));
      }
      if (plansAdded.length > 0) {
        // A plan newly offered goes after the ones the owner already arranged.
        const [last] = await tx
          .select({ max: sql<number>`coalesce(max(${productPlans.position}), -1)::int` })
          .from(productPlans)
          .where(eq(productPlans.productId, id));
        const start = (last?.max ?? -1) + 1;
        await tx.insert(productPlans).values(plansAdded.map((planId, i) => ({ productId: id, planId, position: start + i })));
      }

      const logged = changed.filter((k) => LOGGED.has(k));
      await recordEvent(tx, {
        actorId: actor.id,
        action: "product.updated",
        subjectType: "product",
        subjectId: id,
        data: {
          changed,
          ...(logged.length > 0
            ? { from: Object.fromEntries(logged.map((k) => [k, before[k]])), to: Object.fromEntries(logged.map((k) => [k, product[k]])) }
            : {}),
          ...(plansAdded.length > 0 ? { plansAdded } : {}),
          ...(plansRemoved.length > 0 ? { plansRemoved } : {}),
        },
      });
      return { product, previousSlug: before.slug, changed: true };
    })
    .catch(asSlugTaken);
}
