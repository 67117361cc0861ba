import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans, products, type UserPreferences, type UserRole, userPreferences } from "@/db/schema";

export type QueueChoices = {
  /** Every plan, by name: the Plan filter. */
  plans: { id: string; name: string }[];
  /** The products the viewer owns (an admin: all), by name: the Product filter. */
  products: { id: string; name: string }[];
  /** The viewer's saved choices (the queue's hidden columns). */
  preferences: UserPreferences;
};

/**
 * What the queue's filters and column chooser start from, in one statement: it is read on every
 * view of the queue, where three statements cost three round trips beside the page's own.
 */
export async function queueChoices(db: Queryable, viewer: { id: string; role: UserRole }): Promise<QueueChoices> {
  const mine = viewer.role === "admin" ? sql`true` : sql`${products.ownerId} = ${viewer.id}`;
  const [row] = await db.execute<{ plans: QueueChoices["plans"]; products: QueueChoices["products"]; preferences: UserPreferences | null }>(sql`
    select
      (select coalesce(json_agg(json_build_object('id', ${plans.id}, 'name', ${plans.name}) order by ${plans.name}), '[]') from ${plans}) as plans,
      (select coalesce(json_agg(json_build_object('id', ${products.id}, 'name', ${products.name}) order by ${products.name}), '[]')
        from ${products} where ${mine}) as products,
      (select ${userPreferences.preferences} from ${userPreferences} where ${userPreferences.userId} = ${viewer.id}) as preferences`);
  return { plans: row?.plans ?? [], products: row?.products ?? [], preferences: row?.preferences ?? {} };
}
