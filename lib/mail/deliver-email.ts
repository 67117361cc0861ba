import { render } from "@react-email/render";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { emailMessages } from "@/db/schema";
import { templates, type TemplateName } from "@/emails";
import { isSealed, seal, unseal } from "./sealed";
import type { Transport } from "./transport";

export type DeliveryResult = "sent" | "already-sent";

/**
 * Sends one recorded message. Called by the job queue, which retries with backoff when this throws.
 * At-least-once: a worker killed after the provider accepted but before we recorded it sends again
 * with the same idempotency key (the message id), which the provider deduplicates.
 */
export async function deliverEmail(
  db: Queryable,
  messageId: string,
  transport: Transport,
  opts: { from: string; finalAttempt?: boolean },
): Promise<DeliveryResult> {
  const [message] = await db
    .update(emailMessages)
    .set({ status: "sending", attempts: sql`${emailMessages.attempts} + 1` })
    .where(and(eq(emailMessages.id, messageId), ne(emailMessages.status, "sent")))
    .returning();
  if (!message) return "already-sent";

  const template = templates[message.template as TemplateName];
  if (!template) throw new Error(`Unknown email template "${message.template}"`);
  // Only the props enqueueEmail sealed (the template's secretProps) are opened: any other value is
  // the sender's text (a display name, an app name) and stays as typed, even if it looks sealed,
  // so delivery never decrypts a sealed value someone copied into their name.
  const secretProps: readonly string[] = (template as { secretProps?: readonly string[] }).secretProps ?? [];
  const props: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.props)) props[name] = secretProps.includes(name) ? await unseal(value) : value;
  const hasSecrets = secretProps.some((name) => isSealed(message.props[name]));
  const element = (template.render as (p: unknown) => React.ReactElement)(props);
  const html = await render(element);
  const text = await render(element, { plainText: true });

  try {
    const { providerId } = await transport.send({
      from: opts.from,
      to: message.to,
      subject: message.subject,
      html,
      text,
      idempotencyKey: message.id,
    });
    await db
      .update(emailMessages)
      .set({
        status: "sent",
        transport: transport.name,
        providerId,
        lastError: null,
        sentAt: new Date(),
        // The outbox keeps bodies for the dev mailbox, sealed when they carry a link token.
        html: transport.keepsBody ? (hasSecrets ? await seal(html) : html) : null,
        text: transport.keepsBody ? (hasSecrets ? await seal(text) : text) : null,
        // Links in the body (sign-in, claim) must not outlive delivery to a real provider.
        props: transport.keepsBody ? message.props : {},
      })
      .where(eq(emailMessages.id, message.id));
    return "sent";
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await db
      .update(emailMessages)
      .set({ status: opts.finalAttempt ? "failed" : "queued", transport: transport.name, lastError: reason.slice(0, 2000) })
      .where(eq(emailMessages.id, message.id));
    throw error;
  }
}
