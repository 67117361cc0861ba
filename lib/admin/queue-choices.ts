import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans, products, type UserPreferences, userPreferences } from "@/db/schema";
import { type Actor, productsUnderAuthorityOf } from "@/lib/auth/permissions";

export type QueueChoices = {
  /** Every plan, by name: the Plan filter. */
  plans: { id: string; name: string }[];
  /** The products the actor decides for (an owner: their own; an admin: all), by name: the Product filter. */
  products: { id: string; name: string }[];
  /** The actor's saved choices (the queue's hidden columns). */
  preferences: UserPreferences;
};

/**
 * What the queue's filters and column chooser start from, in one statement: it is read on every
 * view of the queue, beside the page's own statements (one statement and pool connection per view
 * instead of three).
 */
export async function queueChoices(db: Queryable, actor: Actor): Promise<QueueChoices> {
  const [row] = await db.execute<{ plans: QueueChoices["plans"]; products: QueueChoices["products"]; preferences: UserPreferences | null }>(sql`
    select
      (select coalesce(json_agg(json_build_object('id', ${plans.id}, 'name', ${plans.name}) order by ${plans.name}), '[]') from ${plans}) as plans,
      (select coalesce(json_agg(json_build_object('id', ${products.id}, 'name', ${products.name}) order by ${products.name}), '[]')
        from ${products} where ${productsUnderAuthorityOf(actor)}) as products,
      (select ${userPreferences.preferences} from ${userPreferences} where ${userPreferences.userId} = ${actor.id}) as preferences`);
  return { plans: row?.plans ?? [], products: row?.products ?? [], preferences: row?.preferences ?? {} };
}
