import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { products } from "@/db/schema";

/** The OpenAPI document of a published product, or null (no such product, not published, or none). */
export async function publishedOpenApi(db: Queryable, slug: string): Promise<string | null> {
  const [row] = await db
    .select({ openapi: products.openapi })
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.status, "published")))
    .limit(1);
  return row?.openapi ?? null;
}
