import { createHash } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { recoveryCodes, secondFactors, sessions, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { seal, unseal } from "@/lib/mail/sealed";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { type EnteredCode, newRecoveryCodes, recoveryCodeHash } from "./codes";
import { matchingStep, newTotpSecret, otpauthUri } from "./totp";

export const SETUP_LIFETIME_MS = 5 * 60_000;
/** When a setup begun at `createdAt` lapses unconfirmed. */
const setupExpiresAt = (row: { createdAt: Date }) => new Date(row.createdAt.getTime() + SETUP_LIFETIME_MS);
export const MAX_WRONG_CODES = 5;
export const LOCK_MS = 5 * 60_000;

/** The person a second factor belongs to (a SessionUser fits). */
export type Person = { id: string; email: string; name: string | null };

/** A session as a setup remembers it (never the token itself). */
const sessionHash = (token: string | null | undefined) => (token ? createHash("sha256").update(token).digest("hex") : null);

/** A setup begun without a session (scripts, tests) is anyone's; one begun in a session is that session's. */
const setupBelongsTo = (row: { setupSessionHash: string | null }, token: string | null | undefined) =>
  row.setupSessionHash === null || row.setupSessionHash === sessionHash(token);
type Clock = { now?: Date };
/**
 * The session asking (lib/auth/guards.ts currentSessionToken()): a setup begun in a session is shown
 * again and confirmed only in that session.
 */
type InSession = Clock & { sessionToken: string | null };

export type SecondFactorStatus =
  | { state: "none" }
  | { state: "pending"; expiresAt: Date }
  | { state: "active"; confirmedAt: Date; lockedUntil: Date | null; recoveryCodesLeft: number; lastUsedAt: Date | null };

/** What Account security shows: none, a setup in progress (until it lapses), or an active authenticator. */
export async function secondFactorStatus(db: Queryable, userId: string, { now = new Date() }: Clock = {}): Promise<SecondFactorStatus> {
  const [row] = await db.select().from(secondFactors).where(eq(secondFactors.userId, userId));
  if (!row) return { state: "none" };
  if (!row.confirmedAt) {
    const expiresAt = setupExpiresAt(row);
    return expiresAt > now ? { state: "pending", expiresAt } : { state: "none" };
  }
  const [left] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return {
    state: "active",
    confirmedAt: row.confirmedAt,
    lockedUntil: row.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null,
    recoveryCodesLeft: left?.n ?? 0,
    lastUsedAt: row.lastUsedAt,
  };
}

export type PendingSetup = { secret: string; uri: string; expiresAt: Date };

/**
 * Starts (or restarts) a setup: a new secret, valid for 5 minutes until confirmed. Refused while an
 * authenticator is active: it is removed first, with one of its codes. Pass the session
 * (`sessionToken: await currentSessionToken()`): only it is shown the secret again and may confirm.
 */
export async function beginSetup(db: Database, person: Person, { now = new Date(), sessionToken }: InSession): Promise<PendingSetup> {
  const secret = newTotpSecret();
  const sealed = await seal(secret);
  const setupSessionHash = sessionHash(sessionToken);
  const [row] = await db
    .insert(secondFactors)
    .values({ userId: person.id, secret: sealed, createdAt: now, setupSessionHash })
    .onConflictDoUpdate({
      target: secondFactors.userId,
      set: { secret: sealed, createdAt: now, failedAttempts: 0, lockedUntil: null, lastUsedStep: null, lastUsedAt: null, setupSessionHash },
      setWhere: isNull(secondFactors.confirmedAt),
    })
    .returning({ userId: secondFactors.userId });
  if (!row) throw new DomainError("conflict", "You already have an authenticator. Remove it first (with one of its codes) to set up another.");
  return { secret, uri: otpauthUri(secret, person.email), expiresAt: new Date(now.getTime() + SETUP_LIFETIME_MS) };
}

/**
 * The setup in progress, to draw its QR code again on reload; null when none, lapsed, or begun in
 * another session (whoever holds a copy of the cookie must not read the secret being set up).
 */
export async function pendingSetup(db: Queryable, person: Person, { now = new Date(), sessionToken }: InSession): Promise<PendingSetup | null> {
  const [row] = await db
    .select()
    .from(secondFactors)
    .where(and(eq(secondFactors.userId, person.id), isNull(secondFactors.confirmedAt)));
  if (!row || !setupBelongsTo(row, sessionToken)) return null;
  const expiresAt = setupExpiresAt(row);
  if (expiresAt <= now) return null;
  const secret = await unseal(row.secret);
  return { secret, uri: otpauthUri(secret, person.email), expiresAt };
}

export const SETUP_EXPIRED = "This setup expired: it must be confirmed within 5 minutes. Start again to get a new QR code.";
export const SETUP_OTHER_SESSION =
  "This setup was started in another browser session. Start again here to get a new QR code (the other one stops working).";

/**
 * Confirms a setup with two successive codes (step n and n+1): proof the authenticator holds the
 * secret and its clock is right. Returns the 10 recovery codes, shown once. The session that
 * confirmed counts as stepped up.
 */
export async function confirmSetup(
  db: Database,
  person: Person,
  input: { firstCode: string; secondCode: string; sessionToken: string | null; baseUrl: string },
  { now = new Date() }: Clock = {},
): Promise<{ recoveryCodes: string[] }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(secondFactors)
      .where(and(eq(secondFactors.userId, person.id), isNull(secondFactors.confirmedAt)))
      .for("update");
    if (!row || setupExpiresAt(row) <= now) throw new DomainError("conflict", SETUP_EXPIRED);
    if (!setupBelongsTo(row, input.sessionToken)) throw new DomainError("conflict", SETUP_OTHER_SESSION);
    const secret = await unseal(row.secret);
    const first = matchingStep(secret, input.firstCode, now);
    const second = matchingStep(secret, input.secondCode, now);
    if (first === null) {
      throw new DomainError("invalid", "The first code does not match. Check the account in your app is the one you just added.", {
        firstCode: "This code does not match the QR code above.",
      });
    }
    if (second === null || second !== first + 1) {
      throw new DomainError("invalid", "Enter two successive codes: the one shown now, then the next one when it appears.", {
        secondCode: "Wait for the next code in your app (a new one every 30 seconds), then enter it here.",
      });
    }
    await tx
      .update(secondFactors)
      .set({ confirmedAt: now, lastUsedStep: second, lastUsedAt: now, failedAttempts: 0, lockedUntil: null, setupSessionHash: null })
      .where(eq(secondFactors.userId, person.id));
    const codes = await replaceRecoveryCodes(tx, person.id);
    await markSteppedUp(tx, person.id, input.sessionToken, now);
    await recordOwnEvent(tx, person, "second_factor.set_up");
    await enqueueEmail(tx, changedEmail(person, "added", input.baseUrl));
    return { recoveryCodes: codes };
  });
}

/** The owner hears of every added or removed authenticator: a session thief could do either. */
const changedEmail = (person: Person, change: "added" | "removed", baseUrl: string) => ({
  to: person.email,
  template: "second-factor-changed" as const,
  props: { ...accountEmailProps(person, baseUrl), change },
});

/** What every second-factor email names: whom, which portal, and where to review it. */
const accountEmailProps = (person: { name: string | null; email: string }, baseUrl: string) => ({
  name: person.name ?? person.email,
  portalUrl: baseUrl,
  securityUrl: `${baseUrl}/account/security`,
});

/** An event about the person's own second factor, done by them (setup, removal, lockout, …). */
const recordOwnEvent = (tx: Tx, person: Person, action: string, data?: Record<string, unknown>) =>
  recordEvent(tx, { actorId: person.id, action, subjectType: "user", subjectId: person.id, data });

async function replaceRecoveryCodes(tx: Tx, userId: string) {
  const codes = newRecoveryCodes();
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: recoveryCodeHash(code) })));
  return codes;
}

async function markSteppedUp(tx: Tx, userId: string, sessionToken: string | null | undefined, now: Date) {
  if (!sessionToken) return;
  await tx
    .update(sessions)
    .set({ steppedUpAt: now })
    .where(and(eq(sessions.sessionToken, sessionToken), eq(sessions.userId, userId)));
}

export type VerifyResult =
  | { ok: true; via: "totp" | "recovery"; recoveryCodesLeft?: number }
  | { ok: false; reason: "none" | "wrong" | "replay" | "locked"; message: string; lockedUntil?: Date };

const lockedMessage = (until: Date) =>
  `Too many wrong codes: your authenticator is locked until ${formatDateTime(until)}. Wait, then try again; we emailed you about it.`;

/**
 * Checks a code against the person's active authenticator, in one transaction holding its row:
 * - a code is accepted once: a code for the last accepted step or an earlier one is a replay
 *   (refused, audited, and counted as a wrong code); a recovery code is spent when used;
 * - the 5th wrong code in a row locks the factor for 5 minutes and emails its owner; a locked
 *   factor refuses every code, right or wrong;
 * - a success after wrong codes is audited; on success the session counts as stepped up.
 * Refusals commit their counting: they are results, not exceptions.
 */
export async function verifySecondFactor(
  db: Database,
  person: Person,
  entered: EnteredCode,
  options: { sessionToken?: string | null; baseUrl: string; purpose?: "step_up" | "remove" },
  { now = new Date() }: Clock = {},
): Promise<VerifyResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(secondFactors)
      .where(and(eq(secondFactors.userId, person.id), sql`${secondFactors.confirmedAt} is not null`))
      .for("update");
    if (!row) return { ok: false, reason: "none", message: "You have no authenticator set up. Set one up in Account security." };
    if (row.lockedUntil && row.lockedUntil > now) {
      return { ok: false, reason: "locked", message: lockedMessage(row.lockedUntil), lockedUntil: row.lockedUntil };
    }

    let accepted: { via: "totp"; step: number } | { via: "recovery"; left: number } | null = null;
    let replay = false;
    if (entered.kind === "totp") {
      const step = matchingStep(await unseal(row.secret), entered.code, now);
      if (step !== null && row.lastUsedStep !== null && step <= row.lastUsedStep) replay = true;
      else if (step !== null) accepted = { via: "totp", step };
    } else {
      const [spent] = await tx
        .update(recoveryCodes)
        .set({ usedAt: now })
        .where(and(eq(recoveryCodes.userId, person.id), eq(recoveryCodes.codeHash, recoveryCodeHash(entered.code)), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      if (spent) {
        const [left] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(recoveryCodes)
          .where(and(eq(recoveryCodes.userId, person.id), isNull(recoveryCodes.usedAt)));
        accepted = { via: "recovery", left: left?.n ?? 0 };
      }
    }

    if (!accepted) {
      if (replay) {
        await recordOwnEvent(tx, person, "second_factor.replay_refused");
      }
      const failed = row.failedAttempts + 1;
      if (failed >= MAX_WRONG_CODES) {
        const lockedUntil = new Date(now.getTime() + LOCK_MS);
        await tx.update(secondFactors).set({ failedAttempts: 0, lockedUntil }).where(eq(secondFactors.userId, person.id));
        await recordOwnEvent(tx, person, "second_factor.locked", { failedAttempts: failed, lockedUntil: lockedUntil.toISOString() });
        await enqueueEmail(tx, {
          to: person.email,
          template: "second-factor-locked",
          props: { ...accountEmailProps(person, options.baseUrl), lockedUntil: formatDateTime(lockedUntil) },
        });
        return { ok: false, reason: "locked", message: lockedMessage(lockedUntil), lockedUntil };
      }
      await tx.update(secondFactors).set({ failedAttempts: failed }).where(eq(secondFactors.userId, person.id));
      const left = MAX_WRONG_CODES - failed;
      const tries = `${left} more wrong ${left === 1 ? "code locks" : "codes lock"} it for 5 minutes.`;
      return replay
        ? { ok: false, reason: "replay", message: `That code was already used. Wait for the next code in your app. ${tries}` }
        : { ok: false, reason: "wrong", message: `That code is not right. Check your app shows Portico's current code. ${tries}` };
    }

    if (row.failedAttempts > 0) {
      await recordOwnEvent(tx, person, "second_factor.succeeded_after_failures", { failedAttempts: row.failedAttempts });
    }
    if (accepted.via === "recovery") {
      await recordOwnEvent(tx, person, "second_factor.recovery_code_used", { recoveryCodesLeft: accepted.left });
    }
    await tx
      .update(secondFactors)
      .set({
        failedAttempts: 0,
        lastUsedAt: now,
        ...(accepted.via === "totp" ? { lastUsedStep: accepted.step } : {}),
      })
      .where(eq(secondFactors.userId, person.id));
    if (options.purpose !== "remove") await markSteppedUp(tx, person.id, options.sessionToken, now);
    return accepted.via === "totp" ? { ok: true, via: "totp" } : { ok: true, via: "recovery", recoveryCodesLeft: accepted.left };
  });
}

/** Removes the person's own authenticator after one of its codes (or a recovery code). */
export async function removeSecondFactor(
  db: Database,
  person: Person,
  entered: EnteredCode,
  options: { baseUrl: string },
  clock: Clock = {},
): Promise<VerifyResult> {
  const verified = await verifySecondFactor(db, person, entered, { ...options, purpose: "remove" }, clock);
  if (!verified.ok) return verified;
  await db.transaction(async (tx) => {
    await tx.delete(secondFactors).where(eq(secondFactors.userId, person.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, person.id));
    await tx.update(sessions).set({ steppedUpAt: null }).where(eq(sessions.userId, person.id));
    await recordOwnEvent(tx, person, "second_factor.removed");
    await enqueueEmail(tx, changedEmail(person, "removed", options.baseUrl));
  });
  return verified;
}

export const RENEW_NEEDS_AUTHENTICATOR = "Enter a code from your authenticator app to make new recovery codes: a recovery code cannot renew them.";

/**
 * New recovery codes (the old ones stop working) after a code from the authenticator. Not after a
 * recovery code: whoever saw one of them on paper would turn it into ten of their own, silently.
 */
export async function regenerateRecoveryCodes(
  db: Database,
  person: Person,
  entered: EnteredCode,
  options: { baseUrl: string },
  clock: Clock = {},
): Promise<{ ok: true; recoveryCodes: string[] } | Extract<VerifyResult, { ok: false }>> {
  if (entered.kind !== "totp") return { ok: false, reason: "wrong", message: RENEW_NEEDS_AUTHENTICATOR };
  const verified = await verifySecondFactor(db, person, entered, { ...options, purpose: "remove" }, clock);
  if (!verified.ok) return verified;
  return db.transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, person.id);
    await recordOwnEvent(tx, person, "second_factor.recovery_codes_replaced");
    return { ok: true as const, recoveryCodes: codes };
  });
}

/**
 * An admin resets another person's authenticator (a lost phone): it and its recovery codes are
 * gone, their sessions lose any step-up, and they are emailed. Their own is reset from Account.
 */
export async function resetSecondFactor(db: Database, actor: Actor, input: { userId: string; baseUrl: string }) {
  assertCan(actor, "user.admin", null);
  if (input.userId === actor.id) {
    throw new DomainError("forbidden", "Remove your own authenticator from Account security, with one of its codes.");
  }
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId));
    if (!user || user.kind === "service") throw new DomainError("not_found", "This user was not found. They may have been deleted.");
    const deleted = await tx.delete(secondFactors).where(eq(secondFactors.userId, user.id)).returning({ confirmedAt: secondFactors.confirmedAt });
    if (!deleted[0]?.confirmedAt) throw new DomainError("conflict", `${user.name ?? user.email} has no authenticator to reset.`);
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await tx.update(sessions).set({ steppedUpAt: null }).where(eq(sessions.userId, user.id));
    const [admin] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.id));
    await recordEvent(tx, { actorId: actor.id, action: "second_factor.reset", subjectType: "user", subjectId: user.id });
    await enqueueEmail(tx, {
      to: user.email,
      template: "second-factor-reset",
      props: { ...accountEmailProps(user, input.baseUrl), adminName: admin?.name ?? admin?.email ?? "An administrator" },
    });
  });
}
