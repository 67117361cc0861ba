import { and, eq, inArray, isNull, ne, or } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { products, users } from "@/db/schema";

/**
 * Who is emailed about a new request for these products: every active admin, and the products'
 * owners while they still hold the owner (or admin) role. Disabled or demoted people get nothing,
 * and neither does the requester: they may not decide their own request.
 */
export async function approversFor(db: Queryable, productIds: readonly string[], requesterId: string) {
  const owners = db.select({ id: products.ownerId }).from(products).where(inArray(products.id, [...productIds]));
  return db
    .selectDistinct({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(
      and(
        isNull(users.disabledAt),
        ne(users.id, requesterId),
        or(eq(users.role, "admin"), and(eq(users.role, "owner"), inArray(users.id, owners))),
      ),
    );
}
