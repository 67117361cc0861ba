import { type Env, env } from "@/lib/env";

/**
 * Whether an email this process sends reaches a person: through the provider (RESEND_API_KEY), or
 * the dev mailbox where it is read instead. Without either (production with no provider) messages
 * stay in the outbox for good, so sign-in by email says so rather than promise a link
 * (app/(auth)/signin), and the server warns at start (instrumentation-node.ts).
 *
 * A web instance with PORTICO_WORKER=off does not send: a separate worker does (scripts/worker.ts),
 * which may hold the provider key alone (docs/deploy.md). The web cannot see that process's
 * settings, so it does not refuse; the worker warns at its own start instead.
 */
export function canSendEmail(settings: Pick<Env, "resend" | "devMailbox" | "worker"> = env) {
  return settings.resend !== null || settings.devMailbox || settings.worker === "off";
}

/**
 * What /signin says instead of its form when no email can reach anyone. For visitors: no setting's
 * name or value and no path in the repository (the start-up warning carries those), only what they
 * can do, which with GitHub is to use it.
 */
export function noEmailSignIn({ github }: { github: boolean }) {
  return github
    ? "This portal does not send sign-in emails yet: continue with GitHub."
    : "This portal cannot send sign-in emails yet, so signing in is not possible here for now. Please tell the portal's administrator.";
}

/** The start-up warning (web and worker): names what to set, never a value. */
export const NO_EMAIL_WARNING =
  "Portico cannot send email: no email provider is configured and the dev mailbox is off, so sign-in links, claim links and notifications stay undelivered in the outbox. Set RESEND_API_KEY and EMAIL_FROM (see docs/deploy.md).";
