import { type SQL, and, desc, eq, gte, inArray, lt, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { accessRequestProducts, accessRequests, apps, products, requestApprovals, requestStatus, users } from "@/db/schema";
import type { Queryable } from "@/db/connect";
import { inScope, productScope } from "@/lib/api-access/grants";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { loadParts, partsOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { cancelAccessRequest as cancelRequestAsDecider } from "@/lib/requests/cancel-access-request";
import { createRequestOnBehalf } from "@/lib/requests/create-request-on-behalf";
import { DENY_NEEDS_REASON, type Decision, decideRequests } from "@/lib/requests/decide-requests";
import { requestTimeline } from "@/lib/requests/queries";
import { pastTense } from "@/lib/requests/state-machine";
import { noNul } from "@/lib/validation";
import { ApiError } from "../api-error";
import { type Cursor, decodeCursor, page, pageQuery, pageSchema } from "../cursor";
import { apiDay } from "../day";
import { linkHeader } from "../links";
import { created, defineOperation, ok } from "../operation";
import { assertProductScope, productsInScope } from "../scope";
import { beforeCursor, cursorTime } from "../time-cursor";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
const DECIDE = ["portal_admin", "product_approver"] as const;
const TAG = "Access requests";

export const accessRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(requestStatus.enumValues),
    requester: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
    app: z.object({ id: z.string(), name: z.string() }),
    plan: z.object({ id: z.string(), name: z.string(), approvalsRequired: z.number().int() }),
    approvals: z.number().int().meta({ description: "Distinct approvers so far." }),
    products: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        approved: z.boolean().meta({ description: "Its owner (or an admin, or an approver key) approved this product." }),
        revoked: z.boolean().meta({ description: "Access to this product was revoked; it no longer verifies." }),
      }),
    ),
    reason: z.string(),
    fields: z.record(z.string(), z.string()).meta({ description: "Answers to the plan's request fields, by field key." }),
    startsAt: z.iso.datetime(),
    durationDays: z.number().int().nullable().meta({ description: "null: the key never expires." }),
    createdAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().nullable(),
    extendsRequestId: z
      .string()
      .nullable()
      .meta({ description: "Set on an extension: this request asks for more time on that request's key. Approving it moves that key's expiry (access_request.extended) and issues no key." }),
  })
  .meta({ id: "AccessRequest" });

export const timelineEventSchema = z
  .object({
    id: z.number().int(),
    action: z.string().meta({ description: "e.g. request.submitted, request.approved, request.part_revoked, key.rolled." }),
    actorType: z.string().meta({ description: "user (a person or an API access key), system, or auto-approve." }),
    actorName: z.string().nullable(),
    comment: z.string().nullable(),
    createdAt: z.iso.datetime(),
    via: z
      .string()
      .nullable()
      .meta({ description: "How a key was claimed, on key.claimed: request-page when the requester generated it on the request's page, null for the emailed link." }),
    credential: z
      .string()
      .nullable()
      .meta({ description: "What the claim created, on request.available: oauth_client for an OAuth 2.0 product's request (a client, not an API key), null for a key." }),
  })
  .meta({ id: "TimelineEvent" });

export const requestDetailSchema = accessRequestSchema
  .extend({ timeline: z.array(timelineEventSchema).meta({ description: "The request's audit events, oldest first." }) })
  .meta({ id: "AccessRequestDetail" });

const requestId = z.object({ requestId: z.guid().meta({ description: "The access request's id." }) });
const day = apiDay();

/** The request rows the API shows (parts added by withParts), one query. */
function selectRequests(db: Queryable) {
  return db
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      requester: { id: users.id, email: users.email, name: users.name },
      app: { id: apps.id, name: apps.name },
      plan: {
        id: accessRequests.planId,
        name: sql<string>`${accessRequests.plan}->>'name'`,
        approvalsRequired: sql<number>`coalesce((${accessRequests.plan}->>'approvalsRequired')::int, 1)`,
      },
      approvals: sql<number>`(select count(*)::int from ${requestApprovals} where ${requestApprovals.requestId} = ${accessRequests.id})`,
      reason: accessRequests.reason,
      fields: accessRequests.fields,
      startsAt: accessRequests.startsAt,
      durationDays: accessRequests.durationDays,
      createdAt: accessRequests.createdAt,
      decidedAt: accessRequests.decidedAt,
      extendsRequestId: accessRequests.extendsRequestId,
      createdKey: cursorTime(accessRequests.createdAt),
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId));
}

type RequestRow = Awaited<ReturnType<ReturnType<typeof selectRequests>["where"]>>[number];

async function withParts(db: Queryable, rows: RequestRow[]) {
  const parts = await loadParts(db, rows.map((r) => r.id));
  return rows.map(({ createdKey: _key, ...r }) => ({
    ...r,
    products: (parts.get(r.id) ?? []).map((p) => ({ id: p.productId, name: p.productName, approved: p.approvedAt !== null, revoked: p.revokedAt !== null })),
  }));
}

const NO_SUCH_REQUEST = "No access request with this id in this key's scope.";

/** One request as the API shows it, if the key sees it. */
export async function requestFor(db: Queryable, actor: ApiKeyActor, id: string) {
  const [row] = await selectRequests(db).where(and(eq(accessRequests.id, id), requestsVisibleTo(actor)));
  if (!row) throw new ApiError(404, NO_SUCH_REQUEST);
  const [out] = await withParts(db, [row]);
  return out;
}

/**
 * A request's parts read WITHOUT the key's scope, so an approver key that does not cover any of
 * its products hears a 403 naming the role it lacks (not a 404); unknown ids are a 404.
 */
export async function assertMayDecide(db: Queryable, actor: ApiKeyActor, id: string) {
  const parts = (await loadParts(db, [id])).get(id) ?? [];
  // the same words as GET's and a hidden request's 404, so the answer does not tell which ids exist
  if (parts.length === 0) throw new ApiError(404, NO_SUCH_REQUEST);
  // A mixed request is decided like an owner decides it: the key's approval counts for its products.
  if (partsOf(actor, parts).length > 0) return;
  // A request the key cannot see, for a product the catalogue does not show (draft, archived): a 404
  // like GET's, so neither the request nor the product's name leaks through the 403.
  const scope = productScope(actor.grants, "read");
  if (!parts.some((p) => inScope(scope, p.productId))) {
    const hidden = await db
      .select({ id: products.id })
      .from(products)
      .where(and(inArray(products.id, parts.map((p) => p.productId)), ne(products.status, "published")))
      .limit(1);
    if (hidden.length > 0) throw new ApiError(404, NO_SUCH_REQUEST);
  }
  assertProductScope(actor, "decide", parts);
}

export const listAccessRequests = defineOperation({
  operationId: "listAccessRequests",
  method: "GET",
  path: "/access-requests",
  tag: TAG,
  summary: "List access requests",
  description:
    "Newest first. Product viewers and approvers see a request when one of its products is in their scope. `createdFrom` and `createdTo` are UTC days, both included.",
  roles: READ,
  query: z.object({
    status: z.enum(requestStatus.enumValues).optional(),
    productId: z.guid().optional().meta({ description: "Requests that include this product." }),
    planId: z.guid().optional(),
    requesterEmail: z.string().trim().max(320).optional().meta({ description: "The requester's email, exactly (case-insensitive)." }),
    createdFrom: day.optional(),
    createdTo: day.optional(),
    ...pageQuery,
  }),
  responses: {
    200: { description: "A page of access requests.", schema: pageSchema(accessRequestSchema).meta({ id: "AccessRequestPage" }), headers: { Link: "rel=\"next\" page, when there is one." } },
  },
  handler: async ({ db, actor, query, request }) => {
    const after = beforeCursor(decodeCursor(query.cursor), accessRequests.createdAt, accessRequests.id);
    const where: (SQL | undefined)[] = [
      requestsVisibleTo(actor),
      query.status ? eq(accessRequests.status, query.status) : undefined,
      query.planId ? eq(accessRequests.planId, query.planId) : undefined,
      query.productId
        ? sql`exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${accessRequests.id} and ${accessRequestProducts.productId} = ${query.productId})`
        : undefined,
      query.requesterEmail ? sql`${accessRequests.requesterId} in (select ${users.id} from ${users} where ${users.email} = ${query.requesterEmail.toLowerCase()})` : undefined,
      query.createdFrom ? gte(accessRequests.createdAt, new Date(`${query.createdFrom}T00:00:00Z`)) : undefined,
      query.createdTo ? lt(accessRequests.createdAt, new Date(Date.parse(`${query.createdTo}T00:00:00Z`) + 86_400_000)) : undefined,
      after,
    ];
    // Keyset on access_requests_created_idx (created_at, id) read backward, the status filter on
    // access_requests_status_idx, the requester on access_requests_requester_created_status_idx: at 1,000,000
    // requests (scripts/seed-scale.ts) a first or a deep page's SQL ran in < 6 ms and the whole call
    // at p95 < 40 ms (limit 200 included), so no index was added. Serial, like the queue: for these
    // index-ordered LIMIT queries parallel plans were 10x slower at 1M rows.
    const rows = await db.transaction(async (tx) => {
      await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
      return selectRequests(tx)
        .where(and(...where))
        .orderBy(desc(accessRequests.createdAt), desc(accessRequests.id))
        .limit(query.limit + 1);
    });
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.createdKey, id: r.id }));
    return ok({ items: await withParts(db, result.items), next: result.next }, linkHeader(request, result.next));
  },
});

export const getAccessRequest = defineOperation({
  operationId: "getAccessRequest",
  method: "GET",
  path: "/access-requests/{requestId}",
  tag: TAG,
  summary: "Get an access request",
  description: "The request and its timeline: every audit event about it (and its keys' rolls), oldest first.",
  roles: READ,
  params: requestId,
  responses: { 200: { description: "The access request with its timeline.", schema: requestDetailSchema } },
  handler: async ({ db, actor, params }) => {
    const found = await requestFor(db, actor, params.requestId);
    return ok({ ...found, timeline: await requestTimeline(db, params.requestId) });
  },
});

const reasonText = (what: string) => z.string().trim().max(2000, `Keep the ${what} under 2,000 characters.`).refine(noNul, "Remove the invisible control characters.");

export const createAccessRequest = defineOperation({
  operationId: "createAccessRequest",
  method: "POST",
  path: "/access-requests",
  tag: TAG,
  summary: "Create an access request on behalf of a consumer",
  description:
    "Exactly as if the consumer submitted their cart: one plan, one authentication method, published products that offer the plan, no duplicate of live access, the plan's questions, start and duration. The consumer must already have an account (an unknown email is a 422: they sign in once first). An auto-approve plan approves at once and the consumer is emailed the claim link; otherwise approvers are emailed, and this key may approve it. A plan with a redirect URL never approves at once: its request waits for the third party there (see POST /handoff-references/verify). Portal admin, or Product approver for every product of the request.",
  roles: DECIDE,
  body: z
    .object({
      consumerEmail: z.email("Enter the consumer's email address.").max(320),
      appId: z.guid("Choose one of the consumer's apps.").optional().meta({ description: "One of the consumer's apps; or give `newAppName`." }),
      newAppName: z.string().trim().min(1, "Give the new app a name.").max(80, "Keep the app name under 80 characters.").refine(noNul, "Remove the invisible control characters.").optional(),
      productIds: z.array(z.guid("Not a product id.")).min(1, "Choose at least one product.").max(20, "A request holds at most 20 products."),
      planId: z.guid("Not a plan id."),
      reason: reasonText("reason").min(1, "Say why the consumer needs access."),
      fields: z.record(z.string().max(100), z.string().max(2000)).default({}).meta({ description: "Answers to the plan's request fields, by field key." }),
      startsAt: z.iso.datetime({ error: "A UTC date and time, e.g. 2027-01-31T09:00:00Z." }).optional().meta({ description: "Default: now." }),
      durationDays: z.number({ error: "Enter a number of days." }).int("Enter a whole number of days.").min(1, "Ask for at least 1 day.").max(3650, "Ask for at most 3,650 days.").optional().meta({ description: "Default: the plan's key lifetime; at most that." }),
    })
    .refine((b) => Boolean(b.appId) !== Boolean(b.newAppName), { path: ["appId"], message: "Give either `appId` (an existing app of the consumer) or `newAppName`, not both." })
    .meta({ id: "NewAccessRequest" }),
  responses: { 201: { description: "The request (approved already when its plan auto-approves).", schema: accessRequestSchema, headers: { Location: "The request's URL." } } },
  handler: async ({ db, actor, body, baseUrl }) => {
    // 403 naming "Product approver for <product>" for a product the key may read, or that the public
    // catalogue shows, but not decide on; a draft or archived product it may not read is answered
    // like an unknown id (the domain's 422), so its existence and name do not leak.
    const named = await db
      .select({ productId: products.id, productName: products.name })
      .from(products)
      .where(and(inArray(products.id, body.productIds), or(eq(products.status, "published"), productsInScope(actor, "read"))));
    const unseen = body.productIds.findIndex((id) => !named.some((p) => p.productId === id));
    if (unseen >= 0) throw new DomainError("invalid", "No product with this id exists.", { [`productIds.${unseen}`]: "No product with this id exists." });
    assertProductScope(actor, "decide", named);
    let made: { id: string };
    try {
      made = await createRequestOnBehalf(db, actor, { ...body, baseUrl });
    } catch (e) {
      throw apiFieldNames(e);
    }
    return created(await requestFor(db, actor, made.id), `/api/v1/access-requests/${made.id}`);
  },
});

/** The domain keys plan answers as the cart form names them (`field.<key>`); the API's body says `fields.<key>`. */
function apiFieldNames(e: unknown) {
  if (!(e instanceof DomainError) || !e.fieldErrors) return e;
  const renamed = Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [k.startsWith("field.") ? `fields.${k.slice(6)}` : k, v]));
  return new DomainError(e.code, e.message, renamed, e.link);
}

async function decide(ctx: { db: Parameters<typeof decideRequests>[0]; actor: ApiKeyActor; baseUrl: string }, id: string, decision: Decision, comment: string | undefined) {
  await assertMayDecide(ctx.db, ctx.actor, id);
  const [outcome] = await decideRequests(ctx.db, ctx.actor, { requestIds: [id], decision, comment, baseUrl: ctx.baseUrl });
  switch (outcome?.result) {
    case "approved":
    case "denied":
    case "approval-recorded":
      return ok(await requestFor(ctx.db, ctx.actor, id));
    case "already-approved-by-you":
      throw new ApiError(409, "This key already approved this request; it waits for other approvers or products' owners.");
    case "already-decided": {
      const [row] = await ctx.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id));
      throw new ApiError(409, `This request is ${row ? pastTense[row.status] : "already decided"}; nothing was changed.`);
    }
    default:
      throw new ApiError(404, "No access request with this id in this key's scope.");
  }
}

const decisionResponses = { 200: { description: "The request after the decision (still pending when other approvals are needed).", schema: accessRequestSchema } };

export const approveAccessRequest = defineOperation({
  operationId: "approveAccessRequest",
  method: "POST",
  path: "/access-requests/{requestId}/approve",
  tag: TAG,
  summary: "Approve an access request",
  description:
    "Counts exactly like a person's approval: this key's approval covers the products in its scope (a Product approver of some of a request's products approves those, like their owner), the request is approved when every product is and the plan's approvers are reached, and the consumer is emailed the claim link. 409 if it was already decided. Send `{}` when there is no comment.",
  roles: DECIDE,
  params: requestId,
  body: z.object({ comment: reasonText("comment").optional() }).meta({ id: "Approval" }),
  responses: decisionResponses,
  handler: async ({ db, actor, params, body, baseUrl }) => decide({ db, actor, baseUrl }, params.requestId, "approve", body.comment),
});

export const denyAccessRequest = defineOperation({
  operationId: "denyAccessRequest",
  method: "POST",
  path: "/access-requests/{requestId}/deny",
  tag: TAG,
  summary: "Deny an access request",
  description: "Any deny ends the request; the consumer is emailed the comment. 409 if it was already decided.",
  roles: DECIDE,
  params: requestId,
  body: z.object({ comment: reasonText("comment").min(1, DENY_NEEDS_REASON) }).meta({ id: "Denial" }),
  responses: decisionResponses,
  handler: async ({ db, actor, params, body, baseUrl }) => decide({ db, actor, baseUrl }, params.requestId, "deny", body.comment),
});

export const revokeAccessRequest = defineOperation({
  operationId: "revokeAccessRequest",
  method: "POST",
  path: "/access-requests/{requestId}/revoke",
  tag: TAG,
  summary: "Revoke an approved access request",
  description:
    "Revokes this key's products of the request (all of them for a Portal admin): they stop verifying at once and the consumer is emailed the reason. The request becomes revoked, and every key stops, when no product is left.",
  roles: DECIDE,
  params: requestId,
  body: z.object({ reason: reasonText("reason").min(1, "Say why the access is revoked: the consumer is told.") }).meta({ id: "Revocation" }),
  responses: { 200: { description: "The request after the revocation.", schema: accessRequestSchema } },
  handler: async ({ db, actor, params, body, baseUrl }) => {
    await assertMayDecide(db, actor, params.requestId);
    await revokeRequests(db, actor, { requestIds: [params.requestId], reason: body.reason, baseUrl });
    return ok(await requestFor(db, actor, params.requestId));
  },
});

export const cancelAccessRequest = defineOperation({
  operationId: "cancelAccessRequest",
  method: "POST",
  path: "/access-requests/{requestId}/cancel",
  tag: TAG,
  summary: "Cancel an access request",
  description:
    "For the third party a plan hands requests to (a redirecting plan's checkout, for example) when the consumer does not go through with it: the request ends as cancelled and no key is issued. Only while it is pending, or approved with its key not claimed yet (a claimed key is revoked instead); 409 otherwise. The consumer is emailed, with the comment when there is one. Send `{}` when there is no comment. Whoever may approve the request may cancel it (never one the key's creator asked for); once approved, a request mixing products needs the key's authority over every one of them (403 otherwise: revoke the key's products instead).",
  roles: DECIDE,
  params: requestId,
  body: z.object({ comment: reasonText("comment").optional().meta({ description: "Told to the consumer, e.g. why the checkout did not complete." }) }).meta({ id: "Cancellation" }),
  responses: { 200: { description: "The request, cancelled.", schema: accessRequestSchema } },
  handler: async ({ db, actor, params, body, baseUrl }) => {
    await assertMayDecide(db, actor, params.requestId);
    try {
      await cancelRequestAsDecider(db, actor, { requestId: params.requestId, comment: body.comment, baseUrl });
    } catch (e) {
      if (e instanceof DomainError && e.code === "conflict") {
        const [row] = await db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, params.requestId));
        const hint = row?.status === "available" ? " Its key was claimed: revoke it instead." : "";
        throw new ApiError(409, `This request is ${row ? pastTense[row.status] : "already decided"}; nothing was changed.${hint}`);
      }
      throw e;
    }
    return ok(await requestFor(db, actor, params.requestId));
  },
});

export const accessRequestOperations = [
  listAccessRequests,
  getAccessRequest,
  createAccessRequest,
  approveAccessRequest,
  denyAccessRequest,
  revokeAccessRequest,
  cancelAccessRequest,
];
