"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { Link } from "@/components/ui/link";
import { createContext, type FormEvent, type ReactNode, useCallback, useContext, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { stepUpAction } from "./actions";

type Ask = () => Promise<boolean>;
const StepUpContext = createContext<Ask | null>(null);

/** The step-up question for forms below it (useStepUpAction): resolves true once a code is accepted. */
export function useStepUp(): Ask {
  const ask = useContext(StepUpContext);
  if (!ask) throw new Error("useStepUp needs a <StepUpProvider> above it (app/layout.tsx).");
  return ask;
}

/**
 * One dialog for the whole portal that asks for an authenticator code when a privileged action
 * answered `stepUp: true`. The form that asked stays as it was, typed text included; once the
 * code is accepted the caller sends the same data again.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const ask = useCallback<Ask>(
    () =>
      new Promise<boolean>((resolve) => {
        resolver.current?.(false);
        resolver.current = resolve;
        setError(null);
        setOpen(true);
      }),
    [],
  );

  const finish = (ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setOpen(false);
    setPending(false);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    event.stopPropagation();
    const data = new FormData(event.currentTarget);
    setPending(true);
    try {
      const result = await stepUpAction(null, data);
      if (result.ok) return finish(true);
      setError(result.fieldErrors?.code ?? result.message ?? "That code was not accepted.");
      inputRef.current?.select();
    } catch {
      setError("Could not check the code: the connection failed. Try again.");
    }
    setPending(false);
  }

  return (
    <StepUpContext.Provider value={ask}>
      {children}
      <Dialog.Root open={open} onOpenChange={(next) => (next ? null : finish(false))}>
        <Dialog.Portal>
          <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
          <Dialog.Content
            data-testid="step-up-dialog"
            onOpenAutoFocus={(e) => {
              e.preventDefault();
              inputRef.current?.focus();
            }}
            className="fixed top-1/2 left-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 space-y-4 rounded-lg bg-white p-6 shadow-xl dark:bg-zinc-900"
          >
            <Dialog.Title className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">Confirm it is you</Dialog.Title>
            <Dialog.Description className="text-sm text-zinc-700 dark:text-zinc-300">
              This action needs a code from your authenticator app. After one code you will not be asked again for 15 minutes.
            </Dialog.Description>
            <form onSubmit={submit} className="space-y-3" noValidate>
              <label htmlFor="step-up-code" className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
                Authenticator code
              </label>
              <input
                ref={inputRef}
                id="step-up-code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={64}
                spellCheck={false}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "step-up-code-hint step-up-code-error" : "step-up-code-hint"}
                className="h-11 w-full rounded-md border border-zinc-300 bg-white px-3 font-mono text-lg tracking-widest dark:border-zinc-700 dark:bg-zinc-950"
              />
              <p id="step-up-code-hint" className="text-xs text-zinc-600 dark:text-zinc-400">
                6 digits from the app. Lost your phone? Enter one of your recovery codes instead.
              </p>
              {error ? (
                <p id="step-up-code-error" role="alert" className="text-sm text-red-700 dark:text-red-400">
                  {error}
                </p>
              ) : null}
              <div className="flex flex-wrap items-center gap-2">
                <Button type="submit" disabled={pending}>
                  {pending ? "Checking…" : "Confirm"}
                </Button>
                <Button type="button" variant="secondary" onClick={() => finish(false)}>
                  Cancel
                </Button>
                <Link href="/account/security" className="ml-auto text-sm underline" onClick={() => finish(false)}>
                  Account security
                </Link>
              </div>
            </form>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </StepUpContext.Provider>
  );
}
