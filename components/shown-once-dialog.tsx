"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/** A read-only value with a Copy button and a spoken result (tokens, secrets, names). */
export function CopyField({ id, label, value, mono }: { id: string; label: string; value: string; mono?: boolean }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          id={id}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          autoComplete="off"
          spellCheck={false}
          className={`h-10 min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-3 text-sm dark:border-zinc-700 dark:bg-zinc-950 ${mono ? "font-mono" : ""}`}
        />
        <Button type="button" variant="secondary" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-zinc-600 dark:text-zinc-400">
        {copied === "yes" ? `${label} copied to the clipboard.` : copied === "failed" ? `Could not copy: select the ${label.toLowerCase()} and copy it by hand.` : ""}
      </p>
    </div>
  );
}

/**
 * A value shown once (an API access token, a webhook signing secret). It lives only in the
 * caller's props, from the action's response. Every way of closing (Done, Escape, a click outside)
 * first asks whether it was copied; Escape or a click outside on that question goes back to it.
 */
export function ShownOnceDialog({
  testId,
  title,
  warning,
  what,
  onClosed,
  children,
}: {
  testId: string;
  title: string;
  warning: ReactNode;
  /** What the question names: "token", "secret". */
  what: string;
  onClosed: () => void;
  children: ReactNode;
}) {
  const [confirming, setConfirming] = useState(false);
  const goBackRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) goBackRef.current?.focus();
  }, [confirming]);

  return (
    <Dialog.Root open onOpenChange={(open) => (open ? null : setConfirming((c) => !c))}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <Dialog.Content
          data-testid={testId}
          className="fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100%-2rem)] max-w-xl -translate-x-1/2 -translate-y-1/2 space-y-4 overflow-y-auto rounded-lg bg-white p-6 shadow-xl dark:bg-zinc-900"
        >
          <Dialog.Title className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">{title}</Dialog.Title>
          <Dialog.Description className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">{warning}</Dialog.Description>
          {children}
          {confirming ? (
            <div role="group" aria-labelledby="confirm-copied" className="space-y-3 rounded-md border border-zinc-300 p-4 dark:border-zinc-700">
              <p id="confirm-copied" className="text-sm font-medium">
                Have you copied the {what}? Once this closes, nobody can see it again.
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
