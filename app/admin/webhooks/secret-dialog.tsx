"use client";

import { CopyField, ShownOnceDialog } from "@/components/shown-once-dialog";

/** A webhook endpoint's signing secret, shown once after Add or Rotate (components/shown-once-dialog.tsx). */
export function SecretDialog({
  title,
  name,
  secret,
  previousValidUntil,
  onClosed,
}: {
  title: string;
  name: string;
  secret: string;
  previousValidUntil?: string;
  onClosed: () => void;
}) {
  return (
    <ShownOnceDialog
      testId="secret-dialog"
      title={title}
      warning={`Copy the signing secret of ${name} now and give it to the receiver. You will not see it again: if it is lost, rotate the secret to get a new one.`}
      what="secret"
      onClosed={onClosed}
    >
      <CopyField id="webhook-secret" label="Signing secret" value={secret} mono />
      {previousValidUntil ? (
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          The previous secret keeps signing beside this one until {previousValidUntil}: every
          message carries both signatures until then, so switch the receiver before that.
        </p>
      ) : null}
      <div className="space-y-1 text-sm text-zinc-700 dark:text-zinc-300">
        <p className="font-medium">How the receiver verifies a message</p>
        <p>
          Messages are signed per the Standard Webhooks specification: headers{" "}
          <code className="font-mono text-xs">webhook-id</code>,{" "}
          <code className="font-mono text-xs">webhook-timestamp</code> and{" "}
          <code className="font-mono text-xs">webhook-signature</code> (HMAC-SHA256 of the id, the
          timestamp and the raw body). Use a Standard Webhooks library, e.g.{" "}
          <code className="font-mono text-xs">new Webhook(secret).verify(rawBody, headers)</code>{" "}
          from the <code className="font-mono text-xs">standardwebhooks</code> package (npm, PyPI
          and others). Deduplicate on <code className="font-mono text-xs">webhook-id</code>: a
          message may arrive more than once.
        </p>
      </div>
    </ShownOnceDialog>
  );
}
