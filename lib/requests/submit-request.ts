import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Queryable, Tx } from "@/db/connect";
import { apps, type PlanSnapshot } from "@/db/schema";
import { assertAppNameFree } from "@/lib/apps/app-name";
import { recordEvent } from "@/lib/audit/record-event";
import { type CartLine, cartProblems } from "@/lib/cart/cart-rules";
import { clearCart, loadCart } from "@/lib/cart/cart-store";
import { DomainError, notFound } from "@/lib/errors";
import { assertActiveUser } from "@/lib/users/assert-active-user";
import { assertNoLiveAccess, createRequest, planSnapshot } from "./create-request";
import { cleanAnswers, parseRequestFields } from "./request-fields";
import { enqueueRequestReceivedEmail } from "./new-request-emails";
import { type SubmitRequestInput, fieldAnswersFrom, submitRequestSchema } from "./submit-schema";

const DAY = 24 * 60 * 60 * 1000;

type ScheduleInput = { startsAt?: string; durationDays?: number };
type SchedulePlan = { name: string; keyLifetimeDays: number | null };

/** Start time and duration checked against the plan: every mistake at once, keyed by field. */
export function scheduleProblems(input: ScheduleInput, plan: SchedulePlan, now: Date) {
  const problems: Record<string, string> = {};
  const startsAt = startOf(input, now);
  if (Number.isNaN(startsAt.getTime())) problems.startsAt = "Enter a valid date and time.";
  else if (startsAt.getTime() < now.getTime() - 60 * 60 * 1000) problems.startsAt = "The start cannot be in the past. Leave it empty to start now.";
  else if (startsAt.getTime() > now.getTime() + 365 * DAY) problems.startsAt = "Start within the next year.";
  const requested = requestedDays(input);
  if (requested !== null && plan.keyLifetimeDays !== null && requested > plan.keyLifetimeDays) {
    problems.durationDays = `The ${plan.name} plan allows at most ${plan.keyLifetimeDays} days.`;
  }
  return problems;
}

/** Checks start time and duration against the plan; returns the values to store. */
export function scheduleFor(input: ScheduleInput, plan: SchedulePlan, now: Date) {
  const problems = scheduleProblems(input, plan, now);
  if (Object.keys(problems).length > 0) throw new DomainError("invalid", "Check the highlighted fields.", problems);
  return scheduleValues(input, plan, now);
}

/** The start and duration to store, for input already checked (no expiry when the plan has none). */
function scheduleValues(input: ScheduleInput, plan: SchedulePlan, now: Date) {
  return { startsAt: startOf(input, now), durationDays: requestedDays(input) ?? plan.keyLifetimeDays };
}

/**
 * What the plan checks in a submission — its questions, the start and the duration — with every
 * mistake at once, keyed as the form names the fields. Shared by submitRequest and cartFieldErrors.
 */
function checkAgainstPlan(plan: PlanSnapshot, fieldAnswers: Record<string, unknown>, input: ScheduleInput, now: Date) {
  const answers = parseRequestFields(plan.requestFields, fieldAnswers);
  const problems = { ...(answers.ok ? {} : answers.fieldErrors), ...scheduleProblems(input, plan, now) };
  return { answers, problems };
}

// datetime-local values carry no zone and are read as UTC; one that already says Z is kept as is.
function startOf(input: ScheduleInput, now: Date) {
  const raw = input.startsAt;
  return raw ? new Date(/z$/i.test(raw) ? raw : `${raw}Z`) : now;
}

function requestedDays(input: ScheduleInput) {
  return input.durationDays ?? null;
}

/** What one submission holds besides its product+plan lines (the cart form's fields, or the API's body). */
export type Submission = ScheduleInput & { appId?: string; newAppName?: string; reason: string };

/**
 * The one way an access request is submitted, inside `tx` (DESIGN.md §2–3): the cart rules checked
 * on `lines` (one plan, one authentication method, published and offered, no duplicates, at most
 * 20), the plan's questions, start and duration checked, the requester's app picked or created,
 * live access refused, then the request written (createRequest: audit, approver emails or
 * auto-approval). The cart (submitRequest) and the API on a consumer's behalf
 * (createRequestOnBehalf) both come here. `submittedById` is who acted (the requester, or an API
 * key for them); `linesField` keys a cart-rule refusal to a field when the caller has one.
 */
export async function submitLines(
  tx: Tx,
  ctx: { requesterId: string; submittedById: string; baseUrl: string; now: Date; linesField?: string },
  lines: readonly CartLine[],
  input: Submission,
  fieldAnswers: Record<string, unknown>,
) {
  const [problem] = cartProblems(lines);
  if (problem) throw new DomainError("invalid", problem, ctx.linesField ? { [ctx.linesField]: problem } : undefined);
  const first = lines[0];
  if (!first) throw new DomainError("invalid", "Your cart is empty.");

  const plan = await planSnapshot(tx, first.planId);
  const { answers, problems } = checkAgainstPlan(plan, fieldAnswers, input, ctx.now);
  if (!answers.ok || Object.keys(problems).length > 0) throw new DomainError("invalid", "Check the highlighted fields.", problems);
  const schedule = scheduleValues(input, plan, ctx.now);

  let appId: string;
  if (input.appId) {
    const [app] = await tx
      .select({ id: apps.id })
      .from(apps)
      .where(and(eq(apps.id, input.appId), eq(apps.ownerId, ctx.requesterId), isNull(apps.deletedAt)));
    if (!app) {
      const e = notFound("This app");
      throw new DomainError(e.code, e.message, { appId: "Choose one of your apps." });
    }
    appId = app.id;
  } else {
    const name = input.newAppName?.trim();
    if (!name) throw new DomainError("invalid", "Name your new app.", { newAppName: "Give your app a name." });
    await assertAppNameFree(tx, ctx.requesterId, name, "newAppName");
    const [app] = await tx.insert(apps).values({ ownerId: ctx.requesterId, name }).returning({ id: apps.id });
    if (!app) throw new Error("apps insert returned no row");
    appId = app.id;
    await recordEvent(tx, {
      actorId: ctx.submittedById,
      action: "app.created",
      subjectType: "app",
      subjectId: appId,
      data: { name, ...(ctx.submittedById === ctx.requesterId ? {} : { ownerId: ctx.requesterId }) },
    });
  }

  const productIds = lines.map((l) => l.productId);
  await assertNoLiveAccess(tx, appId, productIds);
  return createRequest(tx, {
    requesterId: ctx.requesterId,
    submittedById: ctx.submittedById,
    appId,
    planId: first.planId,
    productIds,
    reason: input.reason,
    fields: cleanAnswers(answers.data),
    startsAt: schedule.startsAt,
    durationDays: schedule.durationDays,
    baseUrl: ctx.baseUrl,
  });
}

/**
 * Submits the user's cart as one access request (submitLines), in one transaction, and empties
 * the cart. A disabled account is refused inside the transaction (assertActiveUser).
 */
export async function submitRequest(
  db: Database,
  ctx: { userId: string; baseUrl: string; now?: Date },
  input: SubmitRequestInput,
  fieldAnswers: Record<string, unknown>,
) {
  const now = ctx.now ?? new Date();
  return db.transaction(async (tx) => {
    await assertActiveUser(tx, ctx.userId);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cart:${ctx.userId}`}))`);
    const lines = await loadCart(tx, ctx.userId);
    const request = await submitLines(tx, { requesterId: ctx.userId, submittedById: ctx.userId, baseUrl: ctx.baseUrl, now }, lines, input, fieldAnswers);
    await clearCart(tx, ctx.userId);
    await enqueueRequestReceivedEmail(tx, request.id, ctx.baseUrl);
    return request;
  });
}

/**
 * The plan questions' refusals for the user's cart as it stands, so a form refused for another
 * field names these too in the same answer (submitRequest checks them again, in its transaction).
 */
export async function cartFieldErrors(db: Queryable, userId: string, raw: Record<string, unknown>, now = new Date()) {
  const [first] = await loadCart(db, userId);
  if (!first) return {};
  const plan = await planSnapshot(db, first.planId);
  // The plan's limits on start and duration, where the schema could read those fields at all (an
  // unreadable start is left to the schema's own message). Any whole number of days is compared
  // with the plan (9999 hears "the plan allows at most 365 days").
  const start = submitRequestSchema.shape.startsAt.safeParse(raw.startsAt);
  const days = z.coerce.number().int().safeParse(raw.durationDays === "" ? undefined : raw.durationDays);
  const schedule = { startsAt: start.success ? start.data : undefined, durationDays: days.success ? days.data : undefined };
  return checkAgainstPlan(plan, fieldAnswersFrom(raw), schedule, now).problems;
}
