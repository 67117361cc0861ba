import { and, arrayContains, asc, eq, ilike, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { escapeLike } from "@/lib/sql/escape-like";
import { plans, productPlans, products } from "@/db/schema";

export type CatalogueFilter = { q?: string; tag?: string };

export type CatalogueProduct = {
  slug: string;
  name: string;
  summary: string;
  tags: string[];
  authMethod: "api_key" | "oauth2";
  planCount: number;
};

/** Published products matching a search over name, summary and tags, optionally one tag. */
export async function listPublishedProducts(db: Queryable, filter: CatalogueFilter = {}): Promise<CatalogueProduct[]> {
  const conditions = [eq(products.status, "published")];
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    const match = or(
      ilike(products.name, pattern),
      ilike(products.summary, pattern),
      sql`exists (select 1 from unnest(${products.tags}) t where t ilike ${pattern})`,
    );
    if (match) conditions.push(match);
  }
  if (filter.tag) conditions.push(arrayContains(products.tags, [filter.tag]));

  return db
    .select({
      slug: products.slug,
      name: products.name,
      summary: products.summary,
      tags: products.tags,
      authMethod: products.authMethod,
      planCount: sql<number>`(select count(*)::int from ${productPlans} where ${productPlans.productId} = ${products.id})`,
    })
    .from(products)
    .where(and(...conditions))
    .orderBy(asc(products.name));
}

/** Every tag in use on a published product, for the filter chips. */
export async function listCatalogueTags(db: Queryable): Promise<string[]> {
  const rows = await db.execute<{ tag: string }>(
    sql`select distinct unnest(${products.tags}) as tag from ${products} where ${products.status} = 'published' order by tag`,
  );
  return rows.map((r) => r.tag);
}

export type CataloguePlan = {
  id: string;
  name: string;
  description: string;
  autoApprove: boolean;
  approvalsRequired: number;
  keyLifetimeDays: number | null;
  rateLimitPerMinute: number | null;
  quotaPerMonth: number | null;
  /** false: the gateway enforces the limits, Portico only counts them. */
  enforceLimits: boolean;
};

export type CatalogueProductDetail = CatalogueProduct & { id: string; description: string; plans: CataloguePlan[] };

export async function getPublishedProduct(db: Queryable, slug: string): Promise<CatalogueProductDetail | null> {
  const [product] = await db
    .select()
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.status, "published")))
    .limit(1);
  if (!product) return null;
  const offered = await db
    .select({
      id: plans.id,
      name: plans.name,
      description: plans.description,
      autoApprove: plans.autoApprove,
      approvalsRequired: plans.approvalsRequired,
      keyLifetimeDays: plans.keyLifetimeDays,
      rateLimitPerMinute: plans.rateLimitPerMinute,
      quotaPerMonth: plans.quotaPerMonth,
      enforceLimits: plans.enforceLimits,
    })
    .from(productPlans)
    .innerJoin(plans, eq(plans.id, productPlans.planId))
    .where(eq(productPlans.productId, product.id))
    .orderBy(asc(plans.name));
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    summary: product.summary,
    description: product.description,
    tags: product.tags,
    authMethod: product.authMethod,
    planCount: offered.length,
    plans: offered,
  };
}
