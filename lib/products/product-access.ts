import { and, eq, type SQL } from "drizzle-orm";
import { products, type UserRole } from "@/db/schema";
import { DomainError } from "@/lib/errors";

/** Who is acting: owners manage their own products, admins every product. */
export type Actor = { id: string; role: UserRole };

/** Refuses consumers even when a caller forgot the role check (a hidden button is not authorization). */
export function assertManager(actor: Actor) {
  if (actor.role !== "owner" && actor.role !== "admin") {
    throw new DomainError("forbidden", "Your role does not allow this action.");
  }
}

/** The WHERE clause for "this product, if the actor may manage it" (no IDOR: the owner id is in every write). */
export function manageableProduct(actor: Actor, id: string): SQL | undefined {
  return actor.role === "admin" ? eq(products.id, id) : and(eq(products.id, id), eq(products.ownerId, actor.id));
}

export const productNotFound = () =>
  new DomainError("not_found", "This product was not found. It may have been deleted, or it belongs to someone else.");
