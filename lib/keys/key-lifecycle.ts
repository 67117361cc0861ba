import { addHours } from "date-fns/addHours";
import { and, desc, eq, gt, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/connect";
import { accessRequests, apiKeys, apps, claimLinks, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError, notFound } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { type Actor, assertCan, loadParts, partsOf, requestsVisibleTo } from "@/lib/auth/permissions";
import { emailFacts, enqueueApprovedEmails } from "@/lib/requests/decision-emails";
import { accessWindowEnd } from "@/lib/requests/expire-unclaimed";
import { applyTransition, pastTense, transitions } from "@/lib/requests/state-machine";
import { revokeParts } from "@/lib/requests/revoke-parts";
import { assertActiveUser } from "@/lib/users/assert-active-user";
import { issueKey } from "./issue-key";
import { GRACE_CHOICE_MESSAGE, graceWords, maxGraceOf } from "./roll-grace";

/** Keys of a request that still work (or will, until their grace period ends). */
const stillWorking = (now: Date) => or(isNull(apiKeys.endsAt), gt(apiKeys.endsAt, now));

/**
 * Roll: a new key, shown once; the current key keeps working for the grace period the requester
 * chose (`graceHours`; 0 ends it at once), which may not exceed the plan snapshot's maxGraceHours:
 * a longer one is refused before anything is written. Guarded: the key being rolled is retired with
 * `where id = … and end_reason is null`, so of concurrent rolls of one key (a double click) exactly
 * one makes a new key.
 */
export async function rollKey(
  db: Database,
  userId: string,
  input: { requestId: string; keyId: string },
  opts: { prefix: string; graceHours: number; baseUrl: string; now?: Date },
) {
  const now = opts.now ?? new Date();
  const { requestId, keyId } = input;
  return db.transaction(async (tx) => {
    // A new key is a new secret: never for a disabled account, even one whose keys an admin kept.
    await assertActiveUser(tx, userId);
    const [request] = await tx
      .select()
      .from(accessRequests)
      .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, userId)))
      // The request before its key, the order a revoke takes them in: a roll racing a revoke waits
      // for it instead of the two deadlocking (the new key's insert needs the request's key share).
      .for("update");
    if (!request) throw notFound("This request");
    if (request.status !== "available") {
      throw new DomainError("conflict", `Only a request with a working key can roll it; this one is ${request.status}.`);
    }
    // A deleted app's keys no longer verify: a new one would be a secret that never works.
    const [app] = await tx.select({ deletedAt: apps.deletedAt }).from(apps).where(eq(apps.id, request.appId));
    if (app?.deletedAt) throw new DomainError("conflict", "This request's app was deleted, so its keys no longer work and there is nothing to roll.");
    const maxGrace = maxGraceOf(request.plan);
    if (!Number.isInteger(opts.graceHours) || opts.graceHours < 0) throw new DomainError("invalid", GRACE_CHOICE_MESSAGE, { graceHours: GRACE_CHOICE_MESSAGE });
    if (opts.graceHours > maxGrace) {
      const message = `The ${request.plan.name} plan lets a rolled key keep working for at most ${graceWords(maxGrace)}. Choose a shorter grace period and roll again.`;
      throw new DomainError("invalid", message, { graceHours: message });
    }
    const graceUntil = addHours(now, opts.graceHours);
    const [old] = await tx
      .update(apiKeys)
      .set({ endsAt: graceUntil, endReason: "rolled" })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.requestId, requestId), isNull(apiKeys.endReason)))
      .returning();
    if (!old) throw new DomainError("conflict", "This key was already rolled. Reload the page to see the current key.");
    // At most two working keys per request: the current one and one rolled key in its grace period.
    // Checked after the guarded UPDATE so concurrent rolls of one key still hear "already rolled";
    // a refusal here rolls that UPDATE back.
    const [inGrace] = await tx
      .select({ start: apiKeys.start, endsAt: apiKeys.endsAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.requestId, requestId), eq(apiKeys.endReason, "rolled"), gt(apiKeys.endsAt, now), ne(apiKeys.id, old.id)))
      .orderBy(desc(apiKeys.endsAt))
      .limit(1);
    if (inGrace?.endsAt) {
      throw new DomainError(
        "conflict",
        `The previous key (${inGrace.start}…) still works until ${formatDateTime(inGrace.endsAt)}, and a request has at most two working keys. Roll again after that time, or give up the access if you are done with it; if a key leaked, ask the API owner to revoke the access.`,
      );
    }
    const { plaintext, key } = await issueKey(tx, request, {
      prefix: opts.prefix,
      actorId: userId,
      now,
      validFrom: now,
      expiresAt: old.expiresAt,
    });
    await tx.update(apiKeys).set({ replacedById: key.id }).where(eq(apiKeys.id, old.id));
    await recordEvent(tx, {
      actorId: userId,
      action: "key.rolled",
      subjectType: "key",
      subjectId: old.id,
      data: { requestId, start: old.start, replacedBy: key.id, newStart: key.start, graceUntil: graceUntil.toISOString() },
    });
    const [facts] = await emailFacts(tx, [requestId]);
    if (facts) {
      await enqueueEmails(tx, [
        {
          to: facts.email,
          template: "key-rolled",
          props: {
            ...requestEmailProps(facts, opts.baseUrl),
            oldKeyStart: old.start,
            newKeyStart: key.start,
            oldKeyEndsAt: formatDateTime(graceUntil),
            graceHours: opts.graceHours,
          },
        },
      ]);
    }
    return { plaintext, key, oldKeyEndsAt: graceUntil };
  });
}

/** Ends every key of the requests that still works, now (a rolled key keeps its own end reason). */
async function endKeys(tx: Tx, requestIds: readonly string[], now: Date) {
  return tx
    .update(apiKeys)
    .set({ endsAt: now, endReason: sql`coalesce(${apiKeys.endReason}, 'checked_in'::key_end_reason)` })
    .where(and(inArray(apiKeys.requestId, [...requestIds]), stillWorking(now)))
    .returning({ id: apiKeys.id, start: apiKeys.start, requestId: apiKeys.requestId });
}

/** Check in: the requester is done; the key stops now and the request is completed. */
export async function checkInRequest(db: Database, userId: string, requestId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    await applyTransition(tx, { requestId, transition: "checkIn", actorId: userId, requesterId: userId });
    const ended = await endKeys(tx, [requestId], now);
    for (const k of ended) {
      await recordEvent(tx, { actorId: userId, action: "key.checked_in", subjectType: "key", subjectId: k.id, data: { requestId, start: k.start } });
    }
  });
}

/** What every key email says about its request. */
function requestEmailProps(f: Awaited<ReturnType<typeof emailFacts>>[number], baseUrl: string) {
  return {
    requesterName: f.name,
    appName: f.appName,
    planName: f.planName,
    productNames: f.productNames,
    requestUrl: `${baseUrl}/requests/${f.id}`,
  };
}

/**
 * Revoke ("deny after approval", DESIGN.md §2, §9), per part: an owner revokes only the products of
 * each request they own, and those stop verifying at once; the request becomes revoked (every key
 * stops, claim links die) when all its parts are revoked, or when an admin revokes (all parts at
 * once). The requester is emailed which products they lost. The requester never revokes their own
 * request; a request outside the actor's view is not found. Refusals write nothing.
 */
export async function revokeRequests(
  db: Database,
  actor: Actor,
  input: { requestIds: readonly string[]; reason: string; baseUrl: string; now?: Date },
) {
  const now = input.now ?? new Date();
  const reason = input.reason.trim();
  if (!reason) throw new DomainError("invalid", "Say why the access is revoked.", { reason: "Say why the access is revoked: the requester is told." });
  return db.transaction(async (tx) => {
    const visible = await tx
      .select({ id: accessRequests.id, status: accessRequests.status, requesterId: accessRequests.requesterId })
      .from(accessRequests)
      .where(and(inArray(accessRequests.id, [...input.requestIds]), requestsVisibleTo(actor)))
      .orderBy(accessRequests.id)
      .for("update");
    if (visible.length === 0) throw notFound("This request");
    const parts = await loadParts(tx, visible.map((v) => v.id));
    for (const v of visible) assertCan(actor, "request.revoke", { requesterId: v.requesterId, parts: parts.get(v.id) ?? [] });

    const taking = new Map<string, string[]>();
    for (const v of visible) {
      const mine = partsOf(actor, parts.get(v.id) ?? []).filter((p) => !p.revokedAt);
      if (!transitions.revoke.from.some((s) => s === v.status) || mine.length === 0) {
        throw new DomainError(
          "conflict",
          transitions.revoke.from.some((s) => s === v.status) ? "You already revoked your products of this request." : `This request is ${pastTense[v.status]}.`,
        );
      }
      taking.set(v.id, mine.map((p) => p.productId));
    }
    const done = await revokeParts(tx, { parts: taking, actorId: actor.id, reason, partAction: "request.part_revoked", baseUrl: input.baseUrl, now });
    return { revoked: done.revoked, partlyRevoked: done.partlyRevoked, keysEnded: done.keys };
  });
}

/** Re-send: a new claim link for an approved, unclaimed request; the previous link stops working. */
/** One claim link a minute per request: a second click does not flood the requester's inbox. */
export const CLAIM_LINK_RESEND_SECONDS = 60;

export async function resendClaimLink(db: Database, userId: string, requestId: string, baseUrl: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select({
        id: accessRequests.id,
        status: accessRequests.status,
        startsAt: accessRequests.startsAt,
        durationDays: accessRequests.durationDays,
        requesterDisabled: sql<boolean>`${users.disabledAt} is not null`,
      })
      .from(accessRequests)
      .innerJoin(users, eq(users.id, accessRequests.requesterId))
      .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, userId)))
      .for("update", { of: accessRequests });
    if (!request) throw notFound("This request");
    if (request.requesterDisabled) throw new DomainError("forbidden", "This account is disabled, so no claim link can be sent. Contact your Portico administrator.");
    if (request.status !== "approved") {
      throw new DomainError(
        "conflict",
        request.status === "available"
          ? "The key was already claimed. If you lost it, roll the key to get a new one."
          : `This request is ${request.status}; there is no key to claim.`,
      );
    }
    // A link for access that already ended would only be refused at the claim (the sweep expires it).
    const windowEnd = accessWindowEnd(request);
    if (windowEnd && windowEnd <= now) {
      throw new DomainError("conflict", `This access ended on ${formatDateTime(windowEnd)} before its key was claimed. To use the API, request access again from the catalogue.`);
    }
    // The request row is locked above, so two clicks at once see each other's link here.
    const [recent] = await tx
      .select({ createdAt: claimLinks.createdAt })
      .from(claimLinks)
      .where(and(eq(claimLinks.requestId, requestId), gt(claimLinks.createdAt, new Date(now.getTime() - CLAIM_LINK_RESEND_SECONDS * 1000))))
      .limit(1);
    if (recent) {
      throw new DomainError("conflict", "A claim link was emailed to you less than a minute ago. Check your inbox (and spam folder), or ask again in a minute.");
    }
    await enqueueApprovedEmails(tx, [requestId], baseUrl, now, "claim-link");
    await recordEvent(tx, { actorId: userId, action: "request.claim_link_sent", subjectType: "request", subjectId: requestId });
  });
}

/**
 * The scheduled expiry: available requests whose current key reached its expiry become expired
 * and the requester is emailed. Each request in its own small transaction, guarded like any other.
 */
export async function expireDueKeys(db: Database, baseUrl: string, now = new Date()) {
  const due = await db
    .select({ keyId: apiKeys.id, requestId: apiKeys.requestId, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .where(and(isNull(apiKeys.endReason), lte(apiKeys.expiresAt, now), eq(accessRequests.status, "available")))
    .limit(500);
  let expired = 0;
  for (const d of due) {
    const done = await db.transaction(async (tx) => {
      // The request before its key, the order a revoke takes them in, so the two never deadlock.
      await tx.select({ id: accessRequests.id }).from(accessRequests).where(eq(accessRequests.id, d.requestId)).for("update");
      const [key] = await tx
        .update(apiKeys)
        .set({ endReason: "expired", endsAt: d.expiresAt })
        .where(and(eq(apiKeys.id, d.keyId), isNull(apiKeys.endReason)))
        .returning({ id: apiKeys.id });
      if (!key) return false;
      await applyTransition(tx, { requestId: d.requestId, transition: "expire", actorId: null, actorType: "system" });
      // Rolled keys still in their grace period end with the request.
      await endKeys(tx, [d.requestId], now);
      await recordEvent(tx, { actorId: null, actorType: "system", action: "key.expired", subjectType: "key", subjectId: key.id, data: { requestId: d.requestId } });
      const [f] = await emailFacts(tx, [d.requestId]);
      if (f) {
        await enqueueEmails(tx, [
          {
            to: f.email,
            template: "expired",
            props: {
              ...requestEmailProps(f, baseUrl),
              expiredAt: d.expiresAt ? formatDateTime(d.expiresAt) : "",
            },
          },
        ]);
      }
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
