import { and, count, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { productPlans, products } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError } from "@/lib/errors";
import { revokeProductAccess } from "./revoke-product-access";
import { type Actor, assertManager, manageableProduct, productNotFound } from "./product-access";
import type { ProductStatusChange } from "./product-schema";

type Status = (typeof products.$inferSelect)["status"];

const TRANSITIONS: Record<ProductStatusChange, { from: Status[]; to: Status; verb: string; done: string }> = {
  publish: { from: ["draft"], to: "published", verb: "published", done: "is in the catalogue" },
  unpublish: { from: ["published"], to: "draft", verb: "unpublished", done: "is back to draft and out of the catalogue" },
  archive: { from: ["draft", "published"], to: "archived", verb: "archived", done: "is archived and out of the catalogue" },
  restore: { from: ["archived"], to: "draft", verb: "restored", done: "is back to draft" },
};

const statusWords: Record<Status, string> = { draft: "a draft", published: "published", archived: "archived" };

/**
 * Publishes, unpublishes, archives or restores a product with a guarded UPDATE (only from the states
 * the change starts from), audited in the same transaction. Publishing needs at least one plan.
 */
export async function changeProductStatus(
  db: Queryable,
  actor: Actor,
  id: string,
  change: ProductStatusChange,
  /** Archive only: also revoke the product's part of every request for it but the actor's own (revokeProductAccess). */
  options: { revokeKeys?: boolean; baseUrl?: string; now?: Date } = {},
) {
  assertManager(actor);
  const t = TRANSITIONS[change];
  return db.transaction(async (tx) => {
    const scope = manageableProduct(actor, id);
    // NO KEY UPDATE, not UPDATE: status changes of one product still queue behind each other, but a
    // revoke's foreign-key check of the product's part (KEY SHARE on this row) does not wait behind an
    // archive that waits for the revoke's request: the two deadlocked (adversarial review, 2026-12-06).
    const [current] = await tx.select({ status: products.status, name: products.name }).from(products).where(scope).for("no key update");
    if (!current) throw productNotFound();
    if (!t.from.includes(current.status)) {
      throw new DomainError("conflict", `“${current.name}” is ${statusWords[current.status]}, so it cannot be ${t.verb}. Reload the page to see its state.`);
    }
    if (change === "publish") {
      const [offered] = await tx.select({ n: count() }).from(productPlans).where(eq(productPlans.productId, id));
      if (!offered?.n) {
        throw new DomainError("invalid", "Offer at least one plan before publishing, so consumers can request access.", {
          planIds: "Choose at least one plan, save, then publish.",
        });
      }
    }
    const [product] = await tx
      .update(products)
      .set({ status: t.to, updatedAt: new Date() })
      .where(and(scope, inArray(products.status, t.from)))
      .returning();
    if (!product) throw productNotFound();
    await recordEvent(tx, {
      actorId: actor.id,
      action: `product.${t.verb}`,
      subjectType: "product",
      subjectId: id,
      data: { from: current.status, to: t.to },
    });
    if (change === "archive" && options.revokeKeys) {
      if (!options.baseUrl) throw new Error("revoking on archive needs the base URL for its emails");
      const revoked = await revokeProductAccess(tx, {
        productId: id,
        productName: product.name,
        actorId: actor.id,
        baseUrl: options.baseUrl,
        now: options.now ?? new Date(),
      });
      return { product, revoked, message: `“${product.name}” ${t.done}. ${revokedWords(revoked)}` };
    }
    return { product, revoked: null, message: `“${product.name}” ${t.done}.${change === "archive" ? " Its keys no longer work for it; restoring it lets them work again." : ""}` };
  });
}

function revokedWords(r: { requests: number; keys: number; ownKept: number }) {
  // A requester never revokes their own access: their own requests keep it (their key no longer
  // works for the archived product, and restoring it lets it work again).
  const own = r.ownKept
    ? ` Your own ${r.ownKept === 1 ? "request keeps its" : `${r.ownKept} requests keep their`} access: you cannot revoke access you requested, but ${r.ownKept === 1 ? "its key no longer works" : "their keys no longer work"} for this product while it is archived.`
    : "";
  if (r.requests === 0) return `No one ${r.ownKept ? "else " : ""}had access to revoke.${own}`;
  const keys = `${r.keys} ${r.keys === 1 ? "key" : "keys"}`;
  return `Access revoked on ${r.requests} ${r.requests === 1 ? "request" : "requests"} (${keys} stopped); each requester is emailed.${own}`;
}
