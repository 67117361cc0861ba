import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/connect";
import { apps } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { cartProblems } from "@/lib/cart/cart-rules";
import { clearCart, loadCart } from "@/lib/cart/cart-store";
import { DomainError, notFound } from "@/lib/errors";
import { assertNoLiveAccess, createRequest, planSnapshot } from "./create-request";
import { cleanAnswers, parseRequestFields } from "./request-fields";
import type { SubmitRequestInput } from "./submit-schema";

const DAY = 24 * 60 * 60 * 1000;

/** Checks start time and duration against the plan; returns the values to store. */
export function scheduleFor(
  input: { startsAt?: string; durationDays?: number | "" },
  plan: { name: string; keyLifetimeDays: number | null },
  now: Date,
) {
  // datetime-local values carry no zone and are read as UTC; one that already says Z is kept as is.
  const raw = input.startsAt;
  const startsAt = raw ? new Date(/z$/i.test(raw) ? raw : `${raw}Z`) : now;
  if (Number.isNaN(startsAt.getTime())) {
    throw new DomainError("invalid", "Check the start time.", { startsAt: "Enter a valid date and time." });
  }
  if (startsAt.getTime() < now.getTime() - 60 * 60 * 1000) {
    throw new DomainError("invalid", "Check the start time.", { startsAt: "The start cannot be in the past. Leave it empty to start now." });
  }
  if (startsAt.getTime() > now.getTime() + 365 * DAY) {
    throw new DomainError("invalid", "Check the start time.", { startsAt: "Start within the next year." });
  }
  const requested = input.durationDays === "" || input.durationDays === undefined ? null : input.durationDays;
  if (requested !== null && plan.keyLifetimeDays !== null && requested > plan.keyLifetimeDays) {
    throw new DomainError("invalid", "Check the duration.", {
      durationDays: `The ${plan.name} plan allows at most ${plan.keyLifetimeDays} days.`,
    });
  }
  return { startsAt, durationDays: requested ?? plan.keyLifetimeDays };
}

/**
 * Submits the user's cart as one access request (DESIGN.md §2–3), in one transaction: cart rules
 * re-checked, app picked or created, plan fields validated, duplicates refused, request + products +
 * audit event + approver emails (or auto-approval) written, cart emptied.
 */
export async function submitRequest(
  db: Database,
  ctx: { userId: string; baseUrl: string; now?: Date },
  input: SubmitRequestInput,
  fieldAnswers: Record<string, unknown>,
) {
  const now = ctx.now ?? new Date();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cart:${ctx.userId}`}))`);
    const lines = await loadCart(tx, ctx.userId);
    const [problem] = cartProblems(lines);
    if (problem) throw new DomainError("invalid", problem);
    const first = lines[0];
    if (!first) throw new DomainError("invalid", "Your cart is empty.");

    const plan = await planSnapshot(tx, first.planId);
    const answers = parseRequestFields(plan.requestFields, fieldAnswers);
    if (!answers.ok) throw new DomainError("invalid", "Check the highlighted fields.", answers.fieldErrors);
    const schedule = scheduleFor(input, plan, now);

    let appId: string;
    if (input.appId) {
      const [app] = await tx
        .select({ id: apps.id })
        .from(apps)
        .where(and(eq(apps.id, input.appId), eq(apps.ownerId, ctx.userId), isNull(apps.deletedAt)));
      if (!app) {
        const e = notFound("This app");
        throw new DomainError(e.code, e.message, { appId: "Choose one of your apps." });
      }
      appId = app.id;
    } else {
      const name = input.newAppName?.trim();
      if (!name) throw new DomainError("invalid", "Name your new app.", { newAppName: "Give your app a name." });
      const [app] = await tx.insert(apps).values({ ownerId: ctx.userId, name }).returning({ id: apps.id });
      if (!app) throw new Error("apps insert returned no row");
      appId = app.id;
      await recordEvent(tx, { actorId: ctx.userId, action: "app.created", subjectType: "app", subjectId: appId, data: { name } });
    }

    const productIds = lines.map((l) => l.productId);
    await assertNoLiveAccess(tx, appId, productIds);
    const request = await createRequest(tx, {
      requesterId: ctx.userId,
      appId,
      planId: first.planId,
      productIds,
      reason: input.reason,
      fields: cleanAnswers(answers.data),
      startsAt: schedule.startsAt,
      durationDays: schedule.durationDays,
      baseUrl: ctx.baseUrl,
    });
    await clearCart(tx, ctx.userId);
    return request;
  });
}

/**
 * The plan questions' refusals for the user's cart as it stands, so a form refused for another
 * field names these too in the same answer (submitRequest checks them again, in its transaction).
 */
export async function cartFieldErrors(db: Queryable, userId: string, fieldAnswers: Record<string, unknown>) {
  const [first] = await loadCart(db, userId);
  if (!first) return {};
  const answers = parseRequestFields((await planSnapshot(db, first.planId)).requestFields, fieldAnswers);
  return answers.ok ? {} : answers.fieldErrors;
}
