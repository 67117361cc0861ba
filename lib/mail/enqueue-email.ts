import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { emailMessages } from "@/db/schema";
import { templates, type TemplateName, type TemplateProps } from "@/emails";

export const SEND_EMAIL_TASK = "send-email";

/**
 * Records a message and enqueues its delivery job on the caller's transaction, so the message
 * exists exactly when the state change that caused it commits.
 */
export async function enqueueEmail<N extends TemplateName>(
  tx: Queryable,
  message: { to: string; template: N; props: TemplateProps<N> },
) {
  const t = templates[message.template] as { defaultSubject: (p: TemplateProps<N>) => string };
  const [row] = await tx
    .insert(emailMessages)
    .values({
      to: message.to,
      template: message.template,
      props: message.props as Record<string, unknown>,
      subject: t.defaultSubject(message.props),
    })
    .returning({ id: emailMessages.id });
  if (!row) throw new Error("email_messages insert returned no row");
  await tx.execute(sql`select graphile_worker.add_job(
    ${SEND_EMAIL_TASK},
    json_build_object('messageId', ${row.id}::text),
    job_key := ${`email:${row.id}`}::text,
    max_attempts := 12
  )`);
  return row.id;
}
