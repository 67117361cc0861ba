import { type SQL, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { emailMessages, emailSubjects } from "@/db/schema";
import { renderSubject, templates, type TemplateName, type TemplateProps } from "@/emails";
import { readBranding } from "@/lib/branding/read-branding";
import { addJobs } from "@/lib/jobs/add-jobs";
import { recipientNames } from "./email-brand";
import { seal } from "./sealed";
import { usefulUntil } from "./useful-life";

export const SEND_EMAIL_TASK = "send-email";
/**
 * graphile-worker's own retries, only for a task that throws (the database gone mid-attempt): the
 * provider's refusals and timeouts are retried by deliverEmail on the template's schedule instead.
 */
const JOB_MAX_ATTEMPTS = 12;

/**
 * Enqueues a message's next attempt at `runAt` (a SQL timestamp) on the caller's transaction. One
 * job key per message, so never two waiting jobs: a waiting one is moved, and a running one (the
 * attempt that schedules its successor) keeps running while the new one waits.
 */
export async function scheduleAttempt(tx: Queryable, messageId: string, runAt: SQL) {
  await tx.execute(sql`select graphile_worker.add_job(${SEND_EMAIL_TASK}, json_build_object('messageId', ${messageId}::text),
    job_key := ${`email:${messageId}`}::text, max_attempts := ${JOB_MAX_ATTEMPTS}, run_at := ${runAt})`);
}

export type NewEmail<N extends TemplateName = TemplateName> = {
  to: string;
  template: N;
  props: TemplateProps<N>;
  /** When the message stops being worth sending (a link's own expiry); default: its template's useful life. */
  usefulUntil?: Date;
};

/**
 * Records messages and enqueues their delivery jobs on the caller's transaction, so they exist
 * exactly when the state change that caused them commits: one insert and one add_jobs call (per
 * 2,000), however many.
 */
export async function enqueueEmails(tx: Queryable, messages: readonly NewEmail[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const names = [...new Set(messages.map((m) => m.template))];
  const overrides = new Map(
    (await tx.select().from(emailSubjects).where(inArray(emailSubjects.template, names))).map((r) => [r.template, r.subject]),
  );
  // Subjects name the portal ({portal}); bodies get the brand when they are rendered (deliverEmail).
  const brand = { name: (await readBranding(tx)).name };
  const greetings = await recipientNames(tx, messages.map((m) => m.to));
  const now = new Date();
  const values = await Promise.all(
    messages.map(async (m) => {
      const t = templates[m.template] as unknown as {
        defaultSubject: string;
        subjectVars: (p: unknown) => Record<string, string>;
        secretProps?: readonly string[];
      };
      const props: Record<string, unknown> = { ...(m.props as Record<string, unknown>) };
      const recipientName = greetings.get(m.to.toLowerCase());
      if (recipientName && props.recipientName === undefined) props.recipientName = recipientName;
      for (const name of t.secretProps ?? []) {
        if (typeof props[name] === "string") props[name] = await seal(props[name]);
      }
      return {
        to: m.to,
        template: m.template,
        props,
        subject: renderSubject(overrides.get(m.template) ?? t.defaultSubject, t.subjectVars({ ...(m.props as object), brand })),
        usefulUntil: usefulUntil(m.template, now, m.usefulUntil),
      };
    }),
  );
  const rows = await tx
    .insert(emailMessages)
    .values(values)
    .returning({ id: emailMessages.id });
  const ids = rows.map((r) => r.id);
  await addJobs(tx, ids, { task: SEND_EMAIL_TASK, payloadKey: "messageId", keyPrefix: "email:", maxAttempts: JOB_MAX_ATTEMPTS });
  return ids;
}

export async function enqueueEmail<N extends TemplateName>(tx: Queryable, message: NewEmail<N>) {
  const [id] = await enqueueEmails(tx, [message as NewEmail]);
  if (!id) throw new Error("email_messages insert returned no row");
  return id;
}
