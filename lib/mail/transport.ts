import { Resend } from "resend";

export type OutgoingEmail = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The message id: a provider that sees it twice sends once. */
  idempotencyKey: string;
};

export type Transport = {
  name: "outbox" | "resend";
  /** Whether the rendered body stays in email_messages (only for the local outbox). */
  keepsBody: boolean;
  send(email: OutgoingEmail): Promise<{ providerId: string | null }>;
};

/** Messages stay in the database; the dev mailbox page shows them. */
export const outboxTransport: Transport = {
  name: "outbox",
  keepsBody: true,
  send: async () => ({ providerId: null }),
};

export function resendTransport(apiKey: string): Transport {
  const client = new Resend(apiKey);
  return {
    name: "resend",
    keepsBody: false,
    async send(email) {
      const { data, error } = await client.emails.send(
        { from: email.from, to: email.to, subject: email.subject, html: email.html, text: email.text },
        { idempotencyKey: email.idempotencyKey },
      );
      if (error) throw new Error(`Resend refused the message: ${error.name}: ${error.message}`);
      return { providerId: data?.id ?? null };
    },
  };
}
