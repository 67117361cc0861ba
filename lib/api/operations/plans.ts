import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { plans, productPlans, products, users } from "@/db/schema";
import { productScope } from "@/lib/api-access/grants";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { createPlan } from "@/lib/plans/create-plan";
import {
  DEFAULT_MAX_GRACE_HOURS,
  DEFAULT_REMINDER_DAYS,
  KEY_LIFETIME_PRESETS,
  MAX_CLAIM_LINK_HOURS,
  MAX_GRACE_HOURS,
  MAX_KEY_LIFETIME_DAYS,
  MAX_REMINDER_DAY,
  MAX_REMINDERS,
  MAX_REQUEST_FIELDS,
} from "@/lib/plans/plan-schema";
import { updatePlan } from "@/lib/plans/update-plan";
import { ApiError } from "../api-error";
import { refreshCatalogue } from "../catalogue-refresh";
import { type Cursor, page, pageQuery, pageSchema } from "../cursor";
import { decodeKeyset, searchText } from "../keyset";
import { linkHeader } from "../links";
import { created, defineOperation, ok } from "../operation";
import { ownerFor } from "../owner";
import { productsInScope } from "../scope";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
const ADMIN = ["portal_admin"] as const;

const requestField = z
  .object({
    key: z.string().meta({ description: "Made from the label; the answer's key in a request's `fields`." }),
    label: z.string(),
    type: z.enum(["text", "textarea", "select"]),
    required: z.boolean(),
    options: z.array(z.string()).optional().meta({ description: "The choices of a select field." }),
  })
  .meta({ id: "PlanRequestField" });

export const planSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    autoApprove: z.boolean(),
    handoffEndpointId: z.string().nullable().meta({ description: "External approval: the webhook endpoint whose third party decides requests; null: people decide (or the plan auto-approves)." }),
    handoffTimeoutHours: z.number().int().meta({ description: "External approval: hours before an undecided request falls back to manual approval." }),
    redirectUrl: z.string().nullable().meta({ description: "Where the consumer is sent after submitting, with a signed reference to the request; null: they stay in the portal." }),
    approvalsRequired: z.number().int(),
    keyLifetimeDays: z.number().int().nullable().meta({ description: "null: keys never expire." }),
    claimLinkLifetimeHours: z.number().int(),
    rateLimitPerMinute: z.number().int().nullable().meta({ description: "null: unlimited." }),
    quotaPerMonth: z.number().int().nullable().meta({ description: "null: unlimited." }),
    reminderDays: z.array(z.number().int()).meta({ description: "Days before a key expires when its requester is reminded (in a daily digest email), largest first; 0 = on the expiry day; empty: no reminders." }),
    maxGraceHours: z.number().int().meta({ description: "The longest a rolled key may keep working (hours); the consumer chooses up to this." }),
    enforceLimits: z.boolean().meta({ description: "true: verify answers 429 past the rate limit or quota. false: the API's gateway enforces them; verify only counts and reports them." }),
    reviewRequired: z.boolean(),
    reviewCommentRequired: z.boolean(),
    requestFields: z.array(requestField),
    owner: z.object({ id: z.string(), email: z.string() }).nullable().meta({ description: "null: a shared plan that admins manage." }),
    productIds: z.array(z.string()).meta({ description: "Products offering the plan (for a product-scoped key, those in its scope)." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Plan" });

const planId = z.object({ planId: z.guid().meta({ description: "The plan's id." }) });

/** Plans a key may read: every plan, or (product-scoped keys) those offered by a product in its scope. */
function plansInScope(actor: ApiKeyActor): SQL {
  if (productScope(actor.grants, "read") === "all") return sql`true`;
  return sql`exists (select 1 from ${productPlans} join ${products} on ${products.id} = ${productPlans.productId}
    where ${productPlans.planId} = ${plans.id} and ${productsInScope(actor)})`;
}

function selectPlans(db: Queryable, actor: ApiKeyActor) {
  return db
    .select({
      id: plans.id,
      name: plans.name,
      description: plans.description,
      autoApprove: plans.autoApprove,
      handoffEndpointId: plans.handoffEndpointId,
      handoffTimeoutHours: plans.handoffTimeoutHours,
      redirectUrl: plans.redirectUrl,
      approvalsRequired: plans.approvalsRequired,
      keyLifetimeDays: plans.keyLifetimeDays,
      claimLinkLifetimeHours: plans.claimLinkLifetimeHours,
      rateLimitPerMinute: plans.rateLimitPerMinute,
      quotaPerMonth: plans.quotaPerMonth,
      reminderDays: plans.reminderDays,
      maxGraceHours: plans.maxGraceHours,
      enforceLimits: plans.enforceLimits,
      reviewRequired: plans.reviewRequired,
      reviewCommentRequired: plans.reviewCommentRequired,
      requestFields: plans.requestFields,
      ownerId: users.id,
      ownerEmail: users.email,
      productIds: sql<string[]>`coalesce((select array_agg(${productPlans.productId} order by ${productPlans.productId}) from ${productPlans}
        join ${products} on ${products.id} = ${productPlans.productId} where ${productPlans.planId} = ${plans.id} and ${productsInScope(actor)}), '{}')`,
      createdAt: plans.createdAt,
      updatedAt: plans.updatedAt,
    })
    .from(plans)
    .leftJoin(users, eq(users.id, plans.ownerId));
}

type PlanRow = Awaited<ReturnType<ReturnType<typeof selectPlans>["where"]>>[number];
const shown = ({ ownerId, ownerEmail, ...r }: PlanRow) => ({ ...r, owner: ownerId && ownerEmail ? { id: ownerId, email: ownerEmail } : null });

export const listPlans = defineOperation({
  operationId: "listPlans",
  method: "GET",
  path: "/plans",
  tag: "Plans",
  summary: "List plans",
  description: "Plans by name. Product viewers and approvers see the plans their products offer.",
  roles: READ,
  query: z.object({ ...pageQuery }),
  responses: { 200: { description: "A page of plans.", schema: pageSchema(planSchema).meta({ id: "PlanPage" }), headers: { Link: "rel=\"next\" page, when there is one." } } },
  handler: async ({ db, actor, query, request }) => {
    const after = decodeKeyset(query.cursor, "text", "text");
    const rows = await selectPlans(db, actor)
      .where(
        and(
          plansInScope(actor),
          after ? or(gt(plans.name, after.v), and(eq(plans.name, after.v), gt(plans.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(plans.name), asc(plans.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.name, id: r.id }));
    return ok({ ...result, items: result.items.map(shown) }, linkHeader(request, result.next));
  },
});

async function planById(db: Queryable, actor: ApiKeyActor, id: string) {
  const [row] = await selectPlans(db, actor).where(and(eq(plans.id, id), plansInScope(actor)));
  if (!row) throw new ApiError(404, "No plan with this id in this key's scope.");
  return shown(row);
}

export const getPlan = defineOperation({
  operationId: "getPlan",
  method: "GET",
  path: "/plans/{planId}",
  tag: "Plans",
  summary: "Get a plan",
  roles: READ,
  params: planId,
  responses: { 200: { description: "The plan.", schema: planSchema } },
  handler: async ({ db, actor, params }) => ok(await planById(db, actor, params.planId)),
});

/*
 * Write bodies: JSON types here; the rules (lengths, bounds, field labels) are those of
 * lib/plans/plan-schema.ts, checked by the domain function, whose field errors come back in a 422.
 */
const writable = {
  name: z.string().meta({ description: "1–80 characters on one line, unique ignoring case." }),
  description: z.string().meta({ description: "Plain text, at most 1000 characters." }),
  autoApprove: z.boolean().meta({ description: "Requests are approved at submit time. Not with handoffEndpointId or redirectUrl." }),
  handoffEndpointId: z
    .string()
    .nullable()
    .meta({ description: "External approval: an enabled webhook endpoint receiving access_request.created, whose third party decides through this API; null: people decide." }),
  handoffTimeoutHours: z.number().int().meta({ description: "External approval: hours, 1–720 (default 72), before an undecided request falls back to manual approval." }),
  redirectUrl: z.string().nullable().meta({ description: "An https URL the consumer is sent to after submitting, with a signed, expiring reference to the request; null: none." }),
  approvalsRequired: z.number().int().meta({ description: "Distinct approvals a request needs, 1–5." }),
  keyLifetimeDays: z.number().int().nullable().meta({ description: `Days a key works, 1–${MAX_KEY_LIFETIME_DAYS}; null: never expires.` }),
  claimLinkLifetimeHours: z.number().int().meta({ description: `Hours a claim link works, 1–${MAX_CLAIM_LINK_HOURS}.` }),
  rateLimitPerMinute: z.number().int().nullable().meta({ description: "null: unlimited." }),
  quotaPerMonth: z.number().int().nullable().meta({ description: "null: unlimited." }),
  reminderDays: z
    .array(z.number().int())
    .meta({
      description: `Days before a key expires when its requester is reminded, each 0–${MAX_REMINDER_DAY} (0 = on the expiry day), at most ${MAX_REMINDERS}; duplicates are dropped and the list is stored largest first. Empty: no reminders. Default ${DEFAULT_REMINDER_DAYS.join(", ")}.`,
    }),
  maxGraceHours: z.number().int().meta({ description: `The longest a rolled key may keep working, 0–${MAX_GRACE_HOURS} hours (default ${DEFAULT_MAX_GRACE_HOURS}); the consumer chooses none, 1 h, 24 h or 7 days up to this.` }),
  enforceLimits: z.boolean().meta({ description: "true (default): verify answers 429 past the limits. false: the API's gateway enforces them; verify only counts." }),
  reviewRequired: z.boolean(),
  reviewCommentRequired: z.boolean().meta({ description: "Only with reviewRequired." }),
  requestFields: z
    .array(
      z
        .strictObject({
          label: z.string(),
          type: z.enum(["text", "textarea", "select"]),
          required: z.boolean().optional(),
          options: z.array(z.string()).optional().meta({ description: "A select field's choices (at least one)." }),
        })
        .meta({ id: "PlanRequestFieldInput" }),
    )
    .meta({ description: `Questions a requester answers, at most ${MAX_REQUEST_FIELDS}.` }),
};
type PlanValues = { [K in keyof typeof writable]: z.output<(typeof writable)[K]> };

const planCreate = z
  .strictObject(writable)
  .partial()
  .required({ name: true })
  .extend({
    ownerEmail: searchText(320).optional().meta({
      description: "The plan's owner: an enabled person with the role owner or admin. Defaults to the admin who created this API access key.",
    }),
  })
  .meta({
    id: "PlanCreate",
    description: `Left out: manual approval, handoffTimeoutHours 72, no redirect, approvalsRequired 1, keyLifetimeDays 180, claimLinkLifetimeHours 72, no limits, reminderDays ${DEFAULT_REMINDER_DAYS.join("/")}, maxGraceHours ${DEFAULT_MAX_GRACE_HOURS}, no review, no fields.`,
  });
const planUpdate = z.strictObject(writable).partial().meta({ id: "PlanUpdate", description: "Only the fields sent change." });

const DEFAULTS: Omit<PlanValues, "name"> = {
  description: "",
  autoApprove: false,
  handoffEndpointId: null,
  handoffTimeoutHours: 72,
  redirectUrl: null,
  approvalsRequired: 1,
  keyLifetimeDays: 180,
  claimLinkLifetimeHours: 72,
  rateLimitPerMinute: null,
  quotaPerMonth: null,
  reminderDays: [...DEFAULT_REMINDER_DAYS],
  maxGraceHours: DEFAULT_MAX_GRACE_HOURS,
  enforceLimits: true,
  reviewRequired: false,
  reviewCommentRequired: false,
  requestFields: [],
};

/** The API's plan values as the plan form sends them (lib/plans/plan-schema.ts). */
function formInput(p: PlanValues) {
  const days = p.keyLifetimeDays;
  const preset = days === null ? "none" : (KEY_LIFETIME_PRESETS as readonly number[]).includes(days) ? String(days) : "custom";
  return {
    ...p,
    keyLifetime: preset,
    customKeyLifetimeDays: preset === "custom" ? days : undefined,
    redirectUrl: p.redirectUrl ?? "",
    rateLimitPerMinute: p.rateLimitPerMinute ?? "",
    quotaPerMonth: p.quotaPerMonth ?? "",
    requestFields: p.requestFields.map((f) => ({ label: f.label, type: f.type, required: f.required ?? false, options: f.options })),
  };
}

/** The form's lifetime fields are one field here. */
function asApiFields(e: unknown): never {
  if (e instanceof DomainError && e.fieldErrors) {
    const errors = Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [k === "keyLifetime" || k === "customKeyLifetimeDays" ? "keyLifetimeDays" : k === "approval" ? "handoffEndpointId" : k, v]));
    throw new DomainError(e.code, e.message, errors, e.link);
  }
  throw e;
}

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export const createPlanOperation = defineOperation({
  operationId: "createPlan",
  method: "POST",
  path: "/plans",
  tag: "Plans",
  summary: "Create a plan",
  description: "Creates a plan, as Admin → Plans → New does. Offer it on a product with updateProduct (`planIds`).",
  roles: ADMIN,
  body: planCreate,
  responses: { 201: { description: "The new plan.", schema: planSchema, headers: { Location: "The plan's URL." } } },
  handler: async ({ db, actor, body }) => {
    const { ownerEmail, ...fields } = body;
    const ownerId = await ownerFor(db, actor, ownerEmail);
    const plan = await createPlan(db, actor, formInput({ ...DEFAULTS, ...defined(fields), name: fields.name }), { ownerId }).catch(asApiFields);
    return created(await planById(db, actor, plan.id), `/api/v1/plans/${plan.id}`);
  },
});

export const updatePlanOperation = defineOperation({
  operationId: "updatePlan",
  method: "PATCH",
  path: "/plans/{planId}",
  tag: "Plans",
  summary: "Update a plan",
  description: "Changes the fields sent and keeps the others. Requests already submitted keep the plan as it was; new requests use the change.",
  roles: ADMIN,
  params: planId,
  body: planUpdate,
  responses: { 200: { description: "The plan as saved.", schema: planSchema } },
  handler: async ({ db, actor, params, body }) => {
    const [current] = await db.select().from(plans).where(eq(plans.id, params.planId));
    if (!current) throw new ApiError(404, "No plan with this id.");
    const values: PlanValues = {
      name: current.name,
      description: current.description,
      autoApprove: current.autoApprove,
      handoffEndpointId: current.handoffEndpointId,
      handoffTimeoutHours: current.handoffTimeoutHours,
      redirectUrl: current.redirectUrl,
      approvalsRequired: current.approvalsRequired,
      keyLifetimeDays: current.keyLifetimeDays,
      claimLinkLifetimeHours: current.claimLinkLifetimeHours,
      rateLimitPerMinute: current.rateLimitPerMinute,
      quotaPerMonth: current.quotaPerMonth,
      reminderDays: current.reminderDays,
      maxGraceHours: current.maxGraceHours,
      enforceLimits: current.enforceLimits,
      reviewRequired: current.reviewRequired,
      reviewCommentRequired: current.reviewCommentRequired,
      requestFields: current.requestFields,
      ...defined(body),
    };
    const before = JSON.stringify(current);
    const plan = await updatePlan(db, actor, current.id, formInput(values)).catch(asApiFields);
    // Product pages show each plan's limits and approval rules.
    if (JSON.stringify(plan) !== before) refreshCatalogue();
    return ok(await planById(db, actor, plan.id));
  },
});

export const planOperations = [listPlans, getPlan, createPlanOperation, updatePlanOperation];
