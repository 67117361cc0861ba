import { eq, inArray, or } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { products, users } from "@/db/schema";

/** Who decides on requests for these products: their owners and every admin. */
export async function approversFor(db: Queryable, productIds: readonly string[]) {
  const owners = db.select({ id: products.ownerId }).from(products).where(inArray(products.id, [...productIds]));
  return db
    .selectDistinct({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(or(eq(users.role, "admin"), inArray(users.id, owners)));
}
