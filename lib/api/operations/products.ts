import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { authMethod, productPlans, productStatus, products, users } from "@/db/schema";
import type { Queryable } from "@/db/connect";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { createProduct } from "@/lib/products/create-product";
import { updateProduct } from "@/lib/products/update-product";
import { type Cursor, page, pageQuery, pageSchema } from "../cursor";
import { ApiError } from "../api-error";
import { refreshCatalogue } from "../catalogue-refresh";
import { created, defineOperation, ok } from "../operation";
import { decodeKeyset, searchText } from "../keyset";
import { ownerFor } from "../owner";
import { productsInScope } from "../scope";
import { linkHeader } from "../links";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
const ADMIN = ["portal_admin"] as const;

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
    const after = decodeKeyset(query.cursor, "text", "text");
    const rows = await selectProducts(db)
      .where(
        and(
          productsInScope(actor),
          query.status ? eq(products.status, query.status) : undefined,
          after ? or(gt(products.name, after.v), and(eq(products.name, after.v), gt(products.id, after.id))) : undefined,
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

/*
 * Write bodies: the JSON types here; each value's rules (lengths, slug and tag patterns, a valid
 * OpenAPI document, offerable plans) are those of lib/products/product-schema.ts, checked by the
 * domain function, whose field errors come back as a 422's `errors`.
 */
const writable = {
  name: z.string().meta({ description: "1–80 characters on one line." }),
  slug: z.string().meta({ description: "The catalogue address /apis/<slug>: lowercase letters, digits and hyphens, unique." }),
  summary: z.string().meta({ description: "One line, at most 200 characters." }),
  description: z.string().meta({ description: "Markdown, at most 50,000 characters." }),
  tags: z.array(z.string()).meta({ description: "At most 10 short lowercase words." }),
  authMethod: z.enum(authMethod.enumValues),
  planIds: z.array(z.string()).meta({ description: "The plans the product offers (ids). Publishing needs at least one." }),
  openapi: z.string().nullable().meta({ description: "The API's OpenAPI document (JSON or YAML); null or empty for none." }),
};

const productCreate = z
  .strictObject({
    name: writable.name,
    slug: writable.slug,
    summary: writable.summary.optional(),
    description: writable.description.optional(),
    tags: writable.tags.optional(),
    authMethod: writable.authMethod.optional().meta({ description: "Defaults to api_key." }),
    planIds: writable.planIds.optional(),
    openapi: writable.openapi.optional(),
    ownerEmail: searchText(320).optional().meta({
      description: "The product's owner: an enabled person with the role owner or admin. Defaults to the admin who created this API access key.",
    }),
  })
  .meta({ id: "ProductCreate" });

const productUpdate = z
  .strictObject({
    name: writable.name.optional(),
    slug: writable.slug.optional(),
    summary: writable.summary.optional(),
    description: writable.description.optional(),
    tags: writable.tags.optional(),
    authMethod: writable.authMethod.optional(),
    planIds: writable.planIds.optional().meta({ description: "Replaces the offered plans." }),
    openapi: writable.openapi.optional(),
  })
  .meta({ id: "ProductUpdate", description: "Only the fields sent change." });

async function productById(db: Queryable, id: string) {
  const [row] = await selectProducts(db).where(eq(products.id, id));
  if (!row) throw new ApiError(404, "No product with this id.");
  return row;
}

export const createProductOperation = defineOperation({
  operationId: "createProduct",
  method: "POST",
  path: "/products",
  tag: "Products",
  summary: "Create a product",
  description: "Creates a draft product, as Admin → Products → New does. Publish it with publishProduct.",
  roles: ADMIN,
  body: productCreate,
  responses: { 201: { description: "The new draft product.", schema: productSchema, headers: { Location: "The product's URL." } } },
  handler: async ({ db, actor, body }) => {
    const { ownerEmail, ...fields } = body;
    const ownerId = await ownerFor(db, actor, ownerEmail);
    const product = await createProduct(db, actor, { authMethod: "api_key", ...fields, openapi: fields.openapi ?? undefined }, { ownerId });
    refreshCatalogue();
    return created(await productById(db, product.id), `/api/v1/products/${product.id}`);
  },
});

export const updateProductOperation = defineOperation({
  operationId: "updateProduct",
  method: "PATCH",
  path: "/products/{productId}",
  tag: "Products",
  summary: "Update a product",
  description: "Changes the fields sent and keeps the others; an archived product cannot be edited.",
  roles: ADMIN,
  params: productId,
  body: productUpdate,
  responses: { 200: { description: "The product as saved.", schema: productSchema } },
  handler: async ({ db, actor, params, body }) => {
    const [current] = await db.select().from(products).where(eq(products.id, params.productId));
    if (!current) throw new ApiError(404, "No product with this id.");
    const offered = await db.select({ id: productPlans.planId }).from(productPlans).where(eq(productPlans.productId, current.id));
    const sent = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    const input = {
      name: current.name,
      slug: current.slug,
      summary: current.summary,
      description: current.description,
      tags: current.tags,
      authMethod: current.authMethod,
      planIds: offered.map((p) => p.id),
      ...sent,
      // null (or "") removes the document; not sent keeps it
      openapi: body.openapi === undefined ? (current.openapi ?? undefined) : (body.openapi ?? ""),
    };
    const { product, previousSlug, changed } = await updateProduct(db, actor, current.id, input);
    if (changed) refreshCatalogue(product.slug, previousSlug);
    return ok(await productById(db, product.id));
  },
});

const statusChange = (change: "publish" | "unpublish" | "archive", summary: string, description: string) =>
  defineOperation({
    operationId: `${change}Product`,
    method: "POST",
    path: `/products/{productId}/${change}`,
    tag: "Products",
    summary,
    description,
    roles: ADMIN,
    params: productId,
    query:
      change === "archive"
        ? z.object({
            revokeKeys: z
              .enum(["true", "false"])
              .optional()
              .meta({ description: "Also revoke this product's part of every request for it (each requester is emailed). Default false: keys stop working for it while it is archived." }),
          })
        : z.object({}),
    responses: { 200: { description: "The product in its new state.", schema: productSchema } },
    handler: async ({ db, actor, params, query, baseUrl }) => {
      const revokeKeys = "revokeKeys" in query && query.revokeKeys === "true";
      const { product } = await changeProductStatus(db, actor, params.productId, change, { revokeKeys, baseUrl });
      refreshCatalogue(product.slug);
      return ok(await productById(db, product.id));
    },
  });

export const publishProduct = statusChange("publish", "Publish a product", "A draft goes into the catalogue; it needs at least one plan. Anything else answers 409.");
export const unpublishProduct = statusChange("unpublish", "Unpublish a product", "A published product goes back to draft and out of the catalogue.");
export const archiveProduct = statusChange("archive", "Archive a product", "A draft or published product is archived: out of the catalogue, and its keys stop working for it.");

export const productOperations = [listProducts, getProduct, createProductOperation, updateProductOperation, publishProduct, unpublishProduct, archiveProduct];
