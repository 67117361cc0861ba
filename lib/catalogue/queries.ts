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

/** The published products their owners (or an admin) chose for the home page. */
export async function listFeaturedProducts(db: Queryable, limit = 6): Promise<CatalogueProduct[]> {
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
    .where(and(eq(products.status, "published"), eq(products.featured, true)))
    .orderBy(asc(products.name))
    .limit(limit);
}

/** Every tag in use on a published product, with how many products carry it: the home page's categories. */
export async function listCategories(db: Queryable): Promise<{ tag: string; count: number }[]> {
  const rows = await db.execute<{ tag: string; count: number }>(
    sql`select t as tag, count(*)::int as count from ${products}, unnest(${products.tags}) t where ${products.status} = 'published' group by t order by count(*) desc, t`,
  );
  return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
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
  /** The owner's pick among the product's plans (at most one). */
  recommended: boolean;
  /** OAuth 2.0 products: the scopes a client on this plan may ask for, and its access tokens' lifetime. */
  oauthScopes: string[];
  accessTokenLifetimeSeconds: number;
};

export type CatalogueProductDetail = CatalogueProduct & { id: string; description: string; plans: CataloguePlan[] };

export async function getPublishedProduct(db: Queryable, slug: string): Promise<CatalogueProductDetail | null> {
  const [product] = await db
    .select()
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.status, "published")))
    .limit(1);
  if (!product) return null;
  return productDetail(db, product);
}

/** A product's public page content, whatever its status (the preview of a draft shows it as it would be published). */
export async function productDetail(db: Queryable, product: typeof products.$inferSelect): Promise<CatalogueProductDetail> {
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
      recommended: productPlans.recommended,
      oauthScopes: plans.oauthScopes,
      accessTokenLifetimeSeconds: plans.accessTokenLifetimeSeconds,
    })
    .from(productPlans)
    .innerJoin(plans, eq(plans.id, productPlans.planId))
    .where(eq(productPlans.productId, product.id))
    // The owner's order; plans never arranged (all at 0) fall back to their names.
    .orderBy(asc(productPlans.position), asc(plans.name));
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
