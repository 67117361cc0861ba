"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * A webhook endpoint's signing secret, shown once (after Add or Rotate). It lives only in this
 * component's props, from the action's response. Every way of closing first asks whether it was
 * copied; Escape or a click outside on that question goes back to the secret.
 */
export function SecretDialog({ title, name, secret, previousValidUntil, onClosed }: { title: string; name: string; secret: string; previousValidUntil?: string; onClosed: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const goBackRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) goBackRef.current?.focus();
  }, [confirming]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <Dialog.Root open onOpenChange={(open) => (open ? null : setConfirming((c) => !c))}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <Dialog.Content
          data-testid="secret-dialog"
          className="fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100%-2rem)] max-w-xl -translate-x-1/2 -translate-y-1/2 space-y-4 overflow-y-auto rounded-lg bg-white p-6 shadow-xl dark:bg-zinc-900"
        >
          <Dialog.Title className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">{title}</Dialog.Title>
          <Dialog.Description className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            Copy the signing secret of {name} now and give it to the receiver. You will not see it again: if it is lost, rotate the secret to get a new one.
          </Dialog.Description>
          <div className="space-y-1.5">
            <label htmlFor="webhook-secret" className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
              Signing secret
            </label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <input
                id="webhook-secret"
                readOnly
                value={secret}
                onFocus={(e) => e.currentTarget.select()}
                autoComplete="off"
                spellCheck={false}
                className="h-10 min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-3 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-950"
              />
              <Button type="button" variant="secondary" onClick={copy} aria-label="Copy signing secret">
                Copy
              </Button>
            </div>
            <p aria-live="polite" className="text-xs text-zinc-600 dark:text-zinc-400">
              {copied === "yes" ? "Signing secret copied to the clipboard." : copied === "failed" ? "Could not copy: select the secret and copy it by hand." : ""}
            </p>
          </div>
          {previousValidUntil ? (
            <p className="text-sm text-zinc-700 dark:text-zinc-300">
              The previous secret keeps signing beside this one until {previousValidUntil}: every message carries both signatures until then, so switch the receiver before that.
            </p>
          ) : null}
          <div className="space-y-1 text-sm text-zinc-700 dark:text-zinc-300">
            <p className="font-medium">How the receiver verifies a message</p>
            <p>
              Messages are signed per the Standard Webhooks specification: headers <code className="font-mono text-xs">webhook-id</code>,{" "}
              <code className="font-mono text-xs">webhook-timestamp</code> and <code className="font-mono text-xs">webhook-signature</code> (HMAC-SHA256 of the id, the timestamp and the raw body).
              Use a Standard Webhooks library, e.g. <code className="font-mono text-xs">new Webhook(secret).verify(rawBody, headers)</code> from the{" "}
              <code className="font-mono text-xs">standardwebhooks</code> package (npm, PyPI and others). Deduplicate on <code className="font-mono text-xs">webhook-id</code>: a message may arrive more than once.
            </p>
          </div>
          {confirming ? (
            <div role="group" aria-labelledby="confirm-copied" className="space-y-3 rounded-md border border-zinc-300 p-4 dark:border-zinc-700">
              <p id="confirm-copied" className="text-sm font-medium">
                Have you copied the secret? Once this closes, nobody can see it again.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button type="button" onClick={onClosed}>
                  I have copied it
                </Button>
                <Button ref={goBackRef} type="button" variant="secondary" onClick={() => setConfirming(false)}>
                  Go back
                </Button>
              </div>
            </div>
          ) : (
            <div className="flex justify-end">
              <Button type="button" onClick={() => setConfirming(true)}>
                Done
              </Button>
            </div>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
