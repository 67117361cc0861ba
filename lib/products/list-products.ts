import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { productPlans, productStatus, products, users } from "@/db/schema";
import { escapeLike } from "@/lib/sql/escape-like";
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

/** The products list's URL filters; anything unreadable means "no filter". */
export const productListParams = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(productStatus.enumValues).optional().catch(undefined),
});
export type ProductListParams = z.infer<typeof productListParams>;

/**
 * The products an actor manages: an owner's own, every product for an admin; optionally only one
 * status, or those whose name, slug or a tag contains `q`.
 */
export async function listManagedProducts(db: Queryable, actor: Actor, filters: ProductListParams = {}): Promise<ManagedProduct[]> {
  const pattern = filters.q ? `%${escapeLike(filters.q)}%` : null;
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
    .where(
      and(
        actor.role === "admin" ? undefined : eq(products.ownerId, actor.id),
        filters.status ? eq(products.status, filters.status) : undefined,
        pattern
          ? or(
              ilike(products.name, pattern),
              ilike(products.slug, pattern),
              sql`exists (select 1 from unnest(${products.tags}) tag where tag ilike ${pattern})`,
            )
          : undefined,
      ),
    )
    .orderBy(asc(products.name));
}
