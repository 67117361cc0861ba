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

/** Every provider call is abandoned after this: a hanging provider must not hold the worker's slots. */
export const PROVIDER_TIMEOUT_MS = 10_000;

export function resendTransport(apiKey: string, opts: { timeoutMs?: number } = {}): Transport {
  const client = new Resend(apiKey);
  const timeoutMs = opts.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  return {
    name: "resend",
    keepsBody: false,
    async send(email) {
      // The SDK passes the signal to fetch, and answers an aborted request as an error result.
      const signal = AbortSignal.timeout(timeoutMs);
      const { data, error } = await client.emails.send(
        { from: email.from, to: email.to, subject: email.subject, html: email.html, text: email.text },
        { idempotencyKey: email.idempotencyKey, signal },
      );
      if (error && signal.aborted) throw new Error(`Resend did not answer within ${timeoutMs / 1000} s.`);
      if (error) throw new Error(`Resend refused the message: ${error.name}: ${error.message}`);
      return { providerId: data?.id ?? null };
    },
  };
}
