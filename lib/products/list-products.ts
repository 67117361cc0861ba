import { asc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { productPlans, products, users } from "@/db/schema";
import type { Actor } from "./product-access";

export type ManagedProduct = {
  id: string;
  name: string;
  slug: string;
  status: "draft" | "published" | "archived";
  ownerEmail: string;
  planCount: number;
  hasOpenApi: boolean;
  updatedAt: Date;
};

/** The products an actor manages: an owner's own, every product for an admin. */
export async function listManagedProducts(db: Queryable, actor: Actor): Promise<ManagedProduct[]> {
  return db
    .select({
      id: products.id,
      name: products.name,
      slug: products.slug,
      status: products.status,
      ownerEmail: users.email,
      planCount: sql<number>`(select count(*)::int from ${productPlans} where ${productPlans.productId} = ${products.id})`,
      hasOpenApi: sql<boolean>`${products.openapi} is not null`,
      updatedAt: products.updatedAt,
    })
    .from(products)
    .innerJoin(users, eq(users.id, products.ownerId))
    .where(actor.role === "admin" ? undefined : eq(products.ownerId, actor.id))
    .orderBy(asc(products.name));
}
