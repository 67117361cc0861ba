import { and, eq, type SQL, sql } from "drizzle-orm";
import { products } from "@/db/schema";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";

export type { Actor };

/** Refuses consumers (and disabled people) even when a caller forgot the role check: a hidden button is not authorization. */
export function assertManager(actor: Actor) {
  assertCan(actor, "catalogue.manage", null);
}

/** The WHERE clause for "this product, if the actor may manage it" (no IDOR: the owner id is in every write). */
export function manageableProduct(actor: Actor, id: string): SQL | undefined {
  if (actor.disabled) return sql`false`;
  return actor.role === "admin" ? eq(products.id, id) : and(eq(products.id, id), eq(products.ownerId, actor.id));
}

export const productNotFound = () =>
  new DomainError("not_found", "This product was not found. It may have been deleted, or it belongs to someone else.");
