import { and, eq, type SQL, sql } from "drizzle-orm";
import { plans } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import type { Actor } from "@/lib/products/product-access";

/** "This plan, if the actor may edit it": owners their own plans; admins every plan, shared ones included. */
export function editablePlan(actor: Actor, id: string): SQL | undefined {
  if (actor.disabled) return sql`false`;
  return actor.role === "admin" ? eq(plans.id, id) : and(eq(plans.id, id), eq(plans.ownerId, actor.id));
}

export const planNotFound = () =>
  new DomainError("not_found", "This plan was not found. It may have been deleted, or only its owner or an admin can change it.");
