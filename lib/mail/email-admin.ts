import { and, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { emailMessages, emailSubjects } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { scheduleAttempt } from "./enqueue-email";
import { parseSubject } from "./subject-schema";
import { expiredReason } from "./useful-life";
import type { TemplateName } from "@/emails";

export async function subjectOverrides(db: Database) {
  return new Map((await db.select().from(emailSubjects)).map((r) => [r.template as TemplateName, r.subject]));
}

/** Saves (or, when blank, clears) an admin's subject for a template: one line, known placeholders only. */
export async function setSubject(db: Database, actor: Actor, input: { template: TemplateName; subject: string }) {
  assertCan(actor, "email.admin", null);
  const { template, subject } = parseSubject(input);
  const adminId = actor.id;
  await db.transaction(async (tx) => {
    if (subject === "") {
      await tx.delete(emailSubjects).where(eq(emailSubjects.template, template));
    } else {
      await tx
        .insert(emailSubjects)
        .values({ template, subject, updatedBy: adminId })
        .onConflictDoUpdate({ target: emailSubjects.template, set: { subject, updatedBy: adminId, updatedAt: new Date() } });
    }
    await recordEvent(tx, {
      actorId: adminId,
      action: "email_subject.updated",
      subjectType: "user",
      subjectId: adminId,
      data: { template, subject },
    });
  });
}

/** Messages not (yet) delivered: queued, sending, failed or expired (not sent), newest first. */
export function undeliveredMessages(db: Database) {
  return db
    .select({
      id: emailMessages.id,
      to: emailMessages.to,
      subject: emailMessages.subject,
      template: emailMessages.template,
      status: emailMessages.status,
      attempts: emailMessages.attempts,
      lastError: emailMessages.lastError,
      createdAt: emailMessages.createdAt,
      nextAttemptAt: emailMessages.nextAttemptAt,
    })
    .from(emailMessages)
    .where(inArray(emailMessages.status, ["queued", "sending", "failed", "expired"]))
    .orderBy(desc(emailMessages.createdAt))
    .limit(200);
}

/**
 * Puts a failed message back on the queue: its job (same job key, so never two) runs again now. Not
 * a message past its useful life (a sign-in link that has expired): the admin is told why instead.
 */
export async function retryMessage(db: Database, actor: Actor, input: { messageId: string }) {
  assertCan(actor, "email.admin", null);
  const { messageId } = input;
  const adminId = actor.id;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(emailMessages)
      .set({ status: "queued", lastError: null, nextAttemptAt: sql`now()` })
      .where(
        and(
          eq(emailMessages.id, messageId),
          inArray(emailMessages.status, ["failed", "queued"]),
          or(isNull(emailMessages.usefulUntil), gt(emailMessages.usefulUntil, sql`now()`)),
        ),
      )
      .returning({ id: emailMessages.id });
    if (!row) {
      const [exists] = await tx
        .select({ status: emailMessages.status, template: emailMessages.template, pastLife: sql<boolean>`${emailMessages.usefulUntil} <= now()` })
        .from(emailMessages)
        .where(eq(emailMessages.id, messageId));
      if (!exists) throw notFound("This message");
      if (exists.status === "expired" || exists.pastLife) throw new DomainError("conflict", `${expiredReason(exists.template)} It will not be sent.`);
      throw new DomainError("conflict", `This message is ${exists.status}; there is nothing to retry.`);
    }
    await scheduleAttempt(tx, row.id, sql`now()`);
    await recordEvent(tx, { actorId: adminId, action: "email.retried", subjectType: "user", subjectId: adminId, data: { messageId } });
    return row;
  });
}
