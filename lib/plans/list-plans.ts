import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans } from "@/db/schema";
import type { Actor } from "@/lib/products/product-access";

/** The plans page: an owner's own plans plus the shared ones they may offer; every plan for an admin. */
export async function listPlansFor(db: Queryable, actor: Actor) {
  const rows = await db
    .select({
      id: plans.id,
      name: plans.name,
      ownerId: plans.ownerId,
      autoApprove: plans.autoApprove,
      approvalsRequired: plans.approvalsRequired,
      keyLifetimeDays: plans.keyLifetimeDays,
      reviewRequired: plans.reviewRequired,
      fieldCount: sql<number>`jsonb_array_length(${plans.requestFields})`,
      productCount: sql<number>`(select count(*)::int from product_plans pp where pp.plan_id = ${plans.id})`,
    })
    .from(plans)
    .where(actor.role === "admin" ? undefined : sql`${plans.ownerId} is null or ${plans.ownerId} = ${actor.id}`)
    .orderBy(plans.name);
  return rows.map((r) => ({ ...r, editable: actor.role === "admin" || r.ownerId === actor.id }));
}

