import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { productPlans, productStatus, products, users } from "@/db/schema";
import type { Queryable } from "@/db/connect";
import { type Cursor, decodeCursor, page, pageQuery, pageSchema } from "../cursor";
import { ApiError } from "../api-error";
import { defineOperation, ok } from "../operation";
import { productsInScope } from "../scope";
import { linkHeader } from "../links";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;

export const productSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    summary: z.string(),
    description: z.string().meta({ description: "Markdown." }),
    tags: z.array(z.string()),
    authMethod: z.enum(["api_key", "oauth2"]),
    status: z.enum(productStatus.enumValues),
    owner: z.object({ id: z.string(), email: z.string() }),
    planIds: z.array(z.string()),
    hasOpenApi: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Product" });

const productId = z.object({ productId: z.guid().meta({ description: "The product's id." }) });

/** Product rows as the API shows them (planIds and owner included), one query. */
export function selectProducts(db: Queryable) {
  return db
    .select({
      id: products.id,
      slug: products.slug,
      name: products.name,
      summary: products.summary,
      description: products.description,
      tags: products.tags,
      authMethod: products.authMethod,
      status: products.status,
      owner: { id: users.id, email: users.email },
      planIds: sql<string[]>`coalesce((select array_agg(${productPlans.planId} order by ${productPlans.planId}) from ${productPlans} where ${productPlans.productId} = ${products.id}), '{}')`,
      hasOpenApi: sql<boolean>`${products.openapi} is not null`,
      createdAt: products.createdAt,
      updatedAt: products.updatedAt,
    })
    .from(products)
    .innerJoin(users, eq(users.id, products.ownerId));
}

export const listProducts = defineOperation({
  operationId: "listProducts",
  method: "GET",
  path: "/products",
  tag: "Products",
  summary: "List products",
  description: "Products in the key's scope, by name. Product viewers and approvers see only their products.",
  roles: READ,
  query: z.object({ status: z.enum(productStatus.enumValues).optional(), ...pageQuery }),
  responses: { 200: { description: "A page of products.", schema: pageSchema(productSchema).meta({ id: "ProductPage" }), headers: { Link: "rel=\"next\" page, when there is one." } } },
  handler: async ({ db, actor, query, request }) => {
    const after = decodeCursor(query.cursor);
    const rows = await selectProducts(db)
      .where(
        and(
          productsInScope(actor),
          query.status ? eq(products.status, query.status) : undefined,
          after ? or(gt(products.name, String(after.v)), and(eq(products.name, String(after.v)), gt(products.id, String(after.id)))) : undefined,
        ),
      )
      .orderBy(asc(products.name), asc(products.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.name, id: r.id }));
    return ok(result, linkHeader(request, result.next));
  },
});

export const getProduct = defineOperation({
  operationId: "getProduct",
  method: "GET",
  path: "/products/{productId}",
  tag: "Products",
  summary: "Get a product",
  roles: READ,
  params: productId,
  responses: { 200: { description: "The product.", schema: productSchema } },
  handler: async ({ db, actor, params }) => {
    const [row] = await selectProducts(db).where(and(eq(products.id, params.productId), productsInScope(actor)));
    if (!row) throw new ApiError(404, "No product with this id in this key's scope.");
    return ok(row);
  },
});

export const productOperations = [listProducts, getProduct];
