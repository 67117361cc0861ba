import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apiAccessKeys, products, users } from "@/db/schema";
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

/**
 * The owner of a new product or plan: the actor, or (admins only, e.g. an API key, which is no
 * person) an enabled person with the role owner or admin, locked against a concurrent disable.
 */
export async function resolveOwner(tx: Queryable, actor: Actor, ownerId: string | undefined): Promise<string> {
  // an API access key owns nothing: by default what it creates belongs to the admin who added the key
  const id = ownerId ?? (actor.kind === "apiKey" ? await keyCreator(tx, actor.keyId) : actor.id);
  if (id !== actor.id && actor.role !== "admin") throw new DomainError("forbidden", "Only an admin can choose another owner.");
  if (id === actor.id && actor.kind === "user") return id;
  const [owner] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, id), eq(users.kind, "person"), inArray(users.role, ["owner", "admin"]), isNull(users.disabledAt)))
    .for("share");
  if (!owner) {
    throw new DomainError("invalid", "Check the highlighted fields.", {
      ownerEmail: "The owner must be an enabled person with the role owner or admin (an API access key cannot own anything).",
    });
  }
  return owner.id;
}

async function keyCreator(tx: Queryable, keyId: string) {
  const [key] = await tx.select({ createdById: apiAccessKeys.createdById }).from(apiAccessKeys).where(eq(apiAccessKeys.id, keyId));
  if (!key) throw new DomainError("forbidden", "This API access key no longer exists.");
  return key.createdById;
}
