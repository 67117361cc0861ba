import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { auditEvents, products } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { ROLE_LABELS, type ApiAccessGrant } from "./grants";
import { assertManages } from "./manage";

export type ProductChoice = { id: string; name: string; status: "draft" | "published" | "archived" };

/** Every product by name, for the role rows' product lists (archived ones only label old choices). */
export async function productChoices(db: Queryable, actor: Actor): Promise<ProductChoice[]> {
  assertManages(actor);
  return db.select({ id: products.id, name: products.name, status: products.status }).from(products).orderBy(asc(products.name), asc(products.id));
}

/** "Product approver: Payments API, Invoices API", "Product viewer: All products", "Portal admin". */
export function describeGrant(grant: ApiAccessGrant, names: ReadonlyMap<string, string>) {
  if (!("products" in grant)) return ROLE_LABELS[grant.role];
  const scope = grant.products === "all" ? "All products" : grant.products.map((id) => names.get(id) ?? "a deleted product").join(", ");
  return `${ROLE_LABELS[grant.role]}: ${scope}`;
}

export const ACTIVITY_LIMIT = 200;

/**
 * A key's own page: what it did (events whose actor is its service user) and what was done to it
 * (created, updated, removed), newest first.
 */
export async function apiAccessKeyActivity(db: Queryable, actor: Actor, key: { id: string; serviceUserId: string }) {
  assertManages(actor);
  return db
    .select({
      id: auditEvents.id,
      createdAt: auditEvents.createdAt,
      action: auditEvents.action,
      subjectType: auditEvents.subjectType,
      subjectId: auditEvents.subjectId,
      comment: auditEvents.comment,
      byKey: sql<boolean>`${auditEvents.actorId} is not distinct from ${key.serviceUserId}`,
    })
    .from(auditEvents)
    .where(or(eq(auditEvents.actorId, key.serviceUserId), and(eq(auditEvents.subjectType, "api_access_key"), eq(auditEvents.subjectId, key.id))))
    .orderBy(desc(auditEvents.id))
    .limit(ACTIVITY_LIMIT);
}
