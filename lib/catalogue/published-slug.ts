import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { products } from "@/db/schema";

/** One indexed lookup (products_slug_key): is there a published product at /apis/<slug>? */
export async function isPublishedSlug(db: Queryable, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.status, "published")))
    .limit(1);
  return Boolean(row);
}
