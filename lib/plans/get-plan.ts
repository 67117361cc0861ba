import type { Queryable } from "@/db/connect";
import { plans } from "@/db/schema";
import type { Actor } from "@/lib/products/product-access";
import { editablePlan } from "./plan-access";

/** A plan the actor may edit, or null when unknown or not theirs (shared plans are for admins). */
export async function getEditablePlan(db: Queryable, actor: Actor, id: string) {
  const [plan] = await db.select().from(plans).where(editablePlan(actor, id));
  return plan ?? null;
}

