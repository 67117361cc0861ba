import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database, Queryable, Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, apps } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import type { Actor } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { openReviews } from "@/lib/reviews/open-reviews";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { assertActiveUser } from "@/lib/users/assert-active-user";
import { applyExtensions } from "./apply-extensions";
import { autoApprovalWithheld, planSnapshot } from "./create-request";
import { currentKeyExpiry } from "./current-key";
import { enqueueNewRequestEmails } from "./new-request-emails";
import { applyTransition, pastTense } from "./state-machine";

export const extendRequestSchema = z.object({
  requestId: z.uuid("That request does not exist."),
  reason: z
    .string()
    .trim()
    .max(2000, "Keep the reason under 2,000 characters.")
    .optional()
    .default(""),
});
export type ExtendRequestInput = z.input<typeof extendRequestSchema>;

/** From when more time may be asked for: one extension's length (`days`) before the key expires. */
export const extensionOpensAt = (expiresAt: Date, days: number) =>
  new Date(expiresAt.getTime() - days * 86_400_000);

export const ALREADY_ASKED =
  "More time for this access was already asked for and waits for approval. You will get an email when it is decided.";

/**
 * Extend: the requester of an available request whose key expires asks for more time (DESIGN.md §2).
 * The ask is an access request of its own (`extends_request_id`) for the same app, plan and products,
 * decided like any other (decideRequests: the products' owners or admins, the plan's N approvers, the
 * review); an auto-approve plan extends at once. Approving it moves the current key's expiry by the
 * plan's key lifetime (applyExtensions) and issues no key. One transaction: the original row is
 * locked, so two concurrent asks queue and the second hears ALREADY_ASKED; the unique index
 * access_requests_one_pending_extension backs that up.
 */
export async function extendRequest(
  db: Database,
  actor: Actor,
  raw: ExtendRequestInput,
  opts: { baseUrl: string; now?: Date },
) {
  const parsed = extendRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      "invalid",
      issue?.message ?? "Check the form.",
      issue ? { [String(issue.path[0] ?? "reason")]: issue.message } : undefined,
    );
  }
  const input = parsed.data;
  const now = opts.now ?? new Date();
  // Only the requester asks: an extension is their commitment to keep using the key.
  if (actor.kind !== "user")
    throw new DomainError(
      "forbidden",
      "Only the requester can ask for more time, from the request page.",
    );
  return db
    .transaction((tx) => askInTx(tx, actor.id, input, opts.baseUrl, now))
    .catch((error: unknown) => {
      // The unique index backs up the row lock: a lost race hears the same answer as the check.
      if (isUniqueViolation(error, "access_requests_one_pending_extension"))
        throw new DomainError("conflict", ALREADY_ASKED);
      throw error;
    });
}

async function askInTx(
  tx: Tx,
  actorId: string,
  input: z.output<typeof extendRequestSchema>,
  baseUrl: string,
  now: Date,
) {
  await assertActiveUser(tx, actorId);
  const [original] = await tx
    .select()
    .from(accessRequests)
    .where(
      and(
        eq(accessRequests.id, input.requestId),
        eq(accessRequests.requesterId, actorId),
        isNull(accessRequests.hiddenAt),
      ),
    )
    .for("update");
  if (!original) throw notFound("This request");
  // A deleted app's keys no longer verify: more time would only queue work for the approvers.
  const [app] = await tx.select({ deletedAt: apps.deletedAt }).from(apps).where(eq(apps.id, original.appId));
  if (app?.deletedAt) {
    throw new DomainError("conflict", "This request's app was deleted, so its key no longer works and there is nothing to extend. Create an app and request access from the catalogue.");
  }
  if (original.extendsRequestId)
    throw new DomainError(
      "conflict",
      "This is already an extension. Ask for more time on the access it extends.",
    );
  if (original.status !== "available") {
    throw new DomainError(
      "conflict",
      `This request is ${pastTense[original.status]}: only access whose key works can be extended. Submit a new request from the catalogue instead.`,
    );
  }
  const expiresAt = await currentKeyExpiry(tx, original.id);
  if (!expiresAt)
    throw new DomainError(
      "conflict",
      "This access has no key that expires, so there is nothing to extend.",
    );
  if (expiresAt <= now)
    throw new DomainError(
      "conflict",
      "This key has already expired. Submit a new request from the catalogue instead.",
    );
  const [waiting] = await tx
    .select({ id: accessRequests.id })
    .from(accessRequests)
    .where(
      and(eq(accessRequests.extendsRequestId, original.id), eq(accessRequests.status, "pending")),
    );
  if (waiting) throw new DomainError("conflict", ALREADY_ASKED);

  const plan = await planSnapshot(tx, original.planId);
  const days = plan.keyLifetimeDays ?? original.plan.keyLifetimeDays ?? original.durationDays;
  if (!days)
    throw new DomainError(
      "conflict",
      "This plan's keys no longer expire, so there is nothing to extend. Ask the API owner.",
    );
  // Asked for once the key expires within one extension's length: an auto-approving plan cannot be
  // stacked into years by pressing the button again.
  const opensAt = extensionOpensAt(expiresAt, days);
  if (opensAt > now) {
    throw new DomainError(
      "conflict",
      `This key expires on ${formatDateTime(expiresAt)}, more than ${days} days away. Ask for more time from ${formatDateTime(opensAt)}.`,
    );
  }
  // People decide an extension: the third party of an External or redirecting plan agreed to the
  // access itself, and a redirect would send the consumer through a checkout for time.
  const { handoff: _handoff, redirectUrl: _redirect, ...snapshot } = plan;
  const parts = await tx
    .select({ productId: accessRequestProducts.productId })
    .from(accessRequestProducts)
    .where(
      and(
        eq(accessRequestProducts.requestId, original.id),
        isNull(accessRequestProducts.revokedAt),
      ),
    );
  const productIds = parts.map((p) => p.productId);
  if (productIds.length === 0) {
    throw new DomainError(
      "conflict",
      "Access to every product of this request was revoked, so there is nothing to extend.",
    );
  }

  const [extension] = await tx
    .insert(accessRequests)
    .values({
      requesterId: actorId,
      appId: original.appId,
      planId: original.planId,
      reason:
        input.reason ||
        `More time for this access (the key expires on ${formatDateTime(expiresAt)}).`,
      fields: {},
      plan: snapshot,
      startsAt: now,
      durationDays: days,
      extendsRequestId: original.id,
    })
    .returning();
  if (!extension) throw new Error("access_requests insert returned no row");
  await tx
    .insert(accessRequestProducts)
    .values(productIds.map((productId) => ({ requestId: extension.id, productId })));
  await recordEvent(tx, {
    actorId,
    action: "request.submitted",
    subjectType: "request",
    subjectId: extension.id,
    data: {
      planId: original.planId,
      productIds,
      appId: original.appId,
      extendsRequestId: original.id,
      days,
    },
  });
  await recordEvent(tx, {
    actorId,
    action: "request.extension_asked",
    subjectType: "request",
    subjectId: original.id,
    comment: input.reason || null,
    data: { extensionId: extension.id, days, expiresAt: expiresAt.toISOString() },
  });

  const withheld = plan.autoApprove
    ? await autoApprovalWithheld(tx, extension.id, {
        requesterId: actorId,
        appId: original.appId,
        planId: original.planId,
        productIds,
        reason: extension.reason,
        fields: {},
        startsAt: now,
        durationDays: days,
        baseUrl,
      })
    : null;
  if (withheld) {
    await recordEvent(tx, {
      actorId: null,
      actorType: "system",
      action: "request.auto_approve_withheld",
      subjectType: "request",
      subjectId: extension.id,
      comment: withheld.comment,
      data: withheld.data,
    });
  }
  if (plan.autoApprove && !withheld) {
    await applyTransition(tx, {
      requestId: extension.id,
      transition: "approve",
      actorId: null,
      actorType: "auto-approve",
      comment: "Approved automatically by the plan.",
    });
    await openReviews(tx, [extension.id], "auto_approved");
    await applyExtensions(tx, [extension.id], {
      actorId: null,
      actorType: "auto-approve",
      baseUrl,
      now,
    });
  } else {
    await enqueueNewRequestEmails(tx, extension.id, baseUrl);
  }
  const [row] = await tx.select().from(accessRequests).where(eq(accessRequests.id, extension.id));
  return { extension: row ?? extension, originalId: original.id };
}

/** The ids among `requestIds` that are extensions (decideRequests treats them apart: no claim link). */
export async function extensionIds(tx: Queryable, requestIds: readonly string[]) {
  if (requestIds.length === 0) return new Set<string>();
  const rows = await tx
    .select({ id: accessRequests.id })
    .from(accessRequests)
    .where(
      and(inArray(accessRequests.id, [...requestIds]), isNotNull(accessRequests.extendsRequestId)),
    );
  return new Set(rows.map((r) => r.id));
}
