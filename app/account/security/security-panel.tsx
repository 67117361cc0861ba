"use client";

import { useActionToast } from "@/components/toast";
import { useRouter } from "next/navigation";
import { useActionState, useCallback, useEffect, useRef, useState } from "react";
import { CopyField } from "@/components/shown-once-dialog";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useConfirmStep } from "@/components/use-confirm-step";
import { useServerForm } from "@/components/use-server-form";
import type { ActionResult } from "@/lib/actions/action-result";
import { formatDateTime } from "@/lib/format";
import { beginSetupAction, confirmSetupAction, regenerateRecoveryCodesAction, removeSecondFactorAction } from "./actions";

export type PanelStatus =
  | { state: "none" }
  /** A setup is waiting in another browser session (its secret is shown only there). */
  | { state: "elsewhere" }
  | { state: "pending"; secret: string; uri: string; qrSvg: string; secondsLeft: number }
  | { state: "active"; confirmedAt: string; lastUsedAt: string | null; lockedUntil: string | null; recoveryCodesLeft: number };

type Revealed = { codes: string[]; reason: "setup" | "replaced" };

const errorText = "text-sm text-red-600 dark:text-red-400";
const LOW_RECOVERY_CODES = 3;

/**
 * Account security: no authenticator / a setup in progress / an active one. Recovery codes live
 * only in this component's state, from the action's answer, until "I saved them".
 */
export function SecurityPanel({
  status,
  required,
  next,
  removed,
  expiredMessage,
}: {
  status: PanelStatus;
  required: boolean;
  /** Where "I saved them" goes (a safe same-site path), or null to stay on this page. */
  next: string | null;
  removed: boolean;
  expiredMessage: string;
}) {
  const router = useRouter();
  const [revealed, setRevealed] = useState<Revealed | null>(null);

  if (revealed) {
    return (
      <RecoveryCodes
        revealed={revealed}
        onSaved={() => {
          setRevealed(null);
          if (next && revealed.reason === "setup") router.push(next);
          else router.refresh();
        }}
      />
    );
  }

  return (
    <div className="max-w-2xl space-y-6">
      {required && status.state !== "active" ? (
        <div role="note" data-testid="second-factor-required" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          <p className="font-semibold">Your role needs an authenticator before you can continue.</p>
          <p className="mt-1">
            Portico&apos;s security policy asks people who can grant access to confirm sensitive actions with a code from an authenticator app.
            Set one up below (it takes a minute); everything else opens again once it is confirmed.
          </p>
        </div>
      ) : null}
      {removed ? (
        <p role="status" className="rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">
          Authenticator removed, with its recovery codes. Sensitive actions no longer ask for a code; set up a new one whenever you like.
        </p>
      ) : null}
      {status.state === "none" ? <NoAuthenticator /> : null}
      {status.state === "elsewhere" ? (
        <Card className="space-y-4" data-testid="setup-elsewhere">
          <h2 className="text-lg font-semibold">Set up your authenticator</h2>
          <p className="text-sm text-zinc-700 dark:text-zinc-300">
            A setup was started in another browser session (or has just expired); its QR code is shown only there. Start again here to get a new
            one: the other stops working.
          </p>
          <BeginSetupForm label="Start again here" />
        </Card>
      ) : null}
      {status.state === "pending" ? (
        <SetupSteps key={status.secret} setup={status} expiredMessage={expiredMessage} onConfirmed={(codes) => setRevealed({ codes, reason: "setup" })} />
      ) : null}
      {status.state === "active" ? <ActiveAuthenticator status={status} onReplaced={(codes) => setRevealed({ codes, reason: "replaced" })} /> : null}
    </div>
  );
}

function NoAuthenticator() {
  return (
    <Card className="space-y-4" data-testid="no-authenticator">
      <h2 className="text-lg font-semibold">Authenticator app</h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        You have no authenticator yet. An authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Bitwarden, Aegis…)
        shows a new 6-digit code every 30 seconds. With one set up, someone who gets hold of your email cannot approve access or change
        roles in your name.
      </p>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Setting up: scan a QR code, enter two successive codes within 5 minutes, then save 10 recovery codes for the day you lose your phone.
      </p>
      <BeginSetupForm label="Set up an authenticator" />
    </Card>
  );
}

function BeginSetupForm({ label, variant = "primary" }: { label: string; variant?: "primary" | "secondary" }) {
  const [state, action, pending] = useActionState(beginSetupAction, null);
  useActionToast(state);
  return (
    <form action={action} className="space-y-2">
      <Button type="submit" variant={variant} disabled={pending}>
        {pending ? "Starting…" : label}
      </Button>
      {state && !state.ok && state.message ? (
        <p role="alert" className={errorText}>
          {state.message}
        </p>
      ) : null}
    </form>
  );
}

/** Seconds left of the 5 minutes, counted on this device from what the server said (no clock skew). */
function useSecondsLeft(initial: number) {
  const [left, setLeft] = useState(initial);
  useEffect(() => {
    const started = performance.now();
    const timer = window.setInterval(() => {
      const value = Math.max(0, initial - Math.floor((performance.now() - started) / 1000));
      setLeft(value);
      if (value === 0) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [initial]);
  return left;
}

const mmss = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

function SetupSteps({
  setup,
  expiredMessage,
  onConfirmed,
}: {
  setup: Extract<PanelStatus, { state: "pending" }>;
  expiredMessage: string;
  onConfirmed: (codes: string[]) => void;
}) {
  const left = useSecondsLeft(setup.secondsLeft);
  const [serverExpired, setServerExpired] = useState(false);
  const expired = left === 0 || serverExpired;
  return (
    <Card className="space-y-6" data-testid="setup-steps">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">Set up your authenticator</h2>
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          Time left:{" "}
          <span role="timer" aria-label={`Time left to confirm: ${mmss(left)}`} data-testid="setup-time-left" className="font-mono font-semibold tabular-nums">
            {mmss(left)}
          </span>
        </p>
      </div>
      {/* A ticking timer is not read aloud every second: only the last minute and the end. */}
      <p aria-live="polite" className="sr-only">
        {expired ? "" : left <= 60 ? "Less than a minute left to confirm this setup." : ""}
      </p>
      {expired ? (
        <div role="alert" data-testid="setup-expired" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          <p>{expiredMessage}</p>
          <BeginSetupForm label="Start again" />
        </div>
      ) : (
        <>
          <ol className="list-decimal space-y-1 pl-5 text-sm text-zinc-700 dark:text-zinc-300">
            <li>Open your authenticator app and add an account.</li>
            <li>Scan the QR code, or paste the setup key (or the whole link) if your app takes text.</li>
            <li>Enter the code your app shows now, wait for the next one (a new code every 30 seconds), and enter it too.</li>
          </ol>
          <div className="flex flex-col gap-6 sm:flex-row sm:items-start">
            <div
              role="img"
              aria-label="QR code to scan with your authenticator app; the setup key below holds the same secret"
              data-testid="setup-qr"
              className="mx-auto w-48 shrink-0 rounded-md bg-white p-2 sm:mx-0 [&_svg]:h-auto [&_svg]:w-full"
              // The SVG is drawn on the server by the qrcode library from our own otpauth URI.
              dangerouslySetInnerHTML={{ __html: setup.qrSvg }}
            />
            <div className="min-w-0 flex-1 space-y-3">
              <CopyField id="setup-secret" label="Setup key" value={setup.secret} mono />
              <CopyField id="setup-uri" label="Setup link (otpauth URI)" value={setup.uri} mono />
            </div>
          </div>
          <ConfirmSetupForm expiredMessage={expiredMessage} onExpired={() => setServerExpired(true)} onConfirmed={onConfirmed} />
          <div className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
            <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">Scanned it with the wrong app, or need a new key?</p>
            <BeginSetupForm label="Start again" variant="secondary" />
          </div>
        </>
      )}
    </Card>
  );
}

function ConfirmSetupForm({
  expiredMessage,
  onExpired,
  onConfirmed,
}: {
  expiredMessage: string;
  onExpired: () => void;
  onConfirmed: (codes: string[]) => void;
}) {
  const [state, dispatch, pending] = useActionState(async (prev: ActionResult | null, data: FormData) => {
    const result = await confirmSetupAction(prev, data);
    if (result.ok && result.revealedRecoveryCodes) onConfirmed(result.revealedRecoveryCodes);
    if (!result.ok && result.message === expiredMessage) onExpired();
    return result;
  }, null);
  useActionToast(state);
  const { formRef, onSubmit } = useServerForm(state, dispatch);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4" aria-labelledby="confirm-setup-title">
      <h3 id="confirm-setup-title" className="font-semibold">
        Confirm with two successive codes
      </h3>
      <div className="grid gap-4 sm:grid-cols-2">
        <CodeInput id="first-code" name="firstCode" label="Code shown now" error={errors?.firstCode} />
        <CodeInput
          id="second-code"
          name="secondCode"
          label="Next code"
          hint="Wait for your app to show a new code, then enter it."
          error={errors?.secondCode}
        />
      </div>
      {state && !state.ok && state.message && !errors ? (
        <p role="alert" className={errorText} data-testid="confirm-error">
          {state.message}
        </p>
      ) : null}
      {errors ? (
        <p className={errorText} data-testid="confirm-message">
          {state?.message}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Checking…" : "Confirm setup"}
      </Button>
    </form>
  );
}

function CodeInput({
  id,
  name,
  label,
  hint,
  error,
  recovery,
  inputRef,
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  /** Letters allowed (a recovery code): a full keyboard on phones. */
  recovery?: boolean;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <Input
        ref={inputRef}
        id={id}
        name={name}
        autoComplete="one-time-code"
        inputMode={recovery ? "text" : "numeric"}
        spellCheck={false}
        autoCapitalize="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="font-mono"
      />
    </Field>
  );
}

function ActiveAuthenticator({
  status,
  onReplaced,
}: {
  status: Extract<PanelStatus, { state: "active" }>;
  onReplaced: (codes: string[]) => void;
}) {
  const low = status.recoveryCodesLeft <= LOW_RECOVERY_CODES;
  return (
    <div className="space-y-6">
      <Card className="space-y-4" data-testid="active-authenticator">
        <h2 className="text-lg font-semibold">Authenticator app: on</h2>
        {status.lockedUntil ? (
          <p role="alert" data-testid="second-factor-locked" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
            Locked after 5 wrong codes: it unlocks at {formatDateTime(new Date(status.lockedUntil))}. We emailed you about it. If the wrong codes
            were not yours, someone may know your email sign-in: tell an administrator.
          </p>
        ) : null}
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-zinc-600 dark:text-zinc-400">Set up on</dt>
          <dd>
            <time dateTime={status.confirmedAt}>{formatDateTime(new Date(status.confirmedAt))}</time>
          </dd>
          <dt className="text-zinc-600 dark:text-zinc-400">Last used</dt>
          <dd>{status.lastUsedAt ? <time dateTime={status.lastUsedAt}>{formatDateTime(new Date(status.lastUsedAt))}</time> : "Not yet"}</dd>
          <dt className="text-zinc-600 dark:text-zinc-400">Recovery codes left</dt>
          <dd data-testid="recovery-codes-left">
            {status.recoveryCodesLeft} of 10
            {low ? (
              <span className="mt-1 block text-amber-800 dark:text-amber-300">
                {status.recoveryCodesLeft === 0 ? "None left" : "Running low"}: make new ones below, or you may be locked out if you lose your phone.
              </span>
            ) : null}
          </dd>
        </dl>
      </Card>
      <NewRecoveryCodes onReplaced={onReplaced} />
      <RemoveAuthenticator />
    </div>
  );
}

/** A code field for the active authenticator's forms: an app code, or a recovery code (full keyboard). */
function AuthenticatorCodeField({
  id,
  error,
  inputRef,
}: {
  id: string;
  error?: string;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  const [recovery, setRecovery] = useState(false);
  return (
    <div className="space-y-2">
      <CodeInput
        id={id}
        name="code"
        label={recovery ? "Recovery code" : "Authenticator code"}
        hint={recovery ? "One of your saved recovery codes, like abcde-23456. It works once." : "The 6-digit code your app shows now."}
        error={error}
        recovery={recovery}
        inputRef={inputRef}
      />
      <button type="button" className="text-sm text-indigo-700 underline hover:text-indigo-900 dark:text-indigo-300" onClick={() => setRecovery((r) => !r)}>
        {recovery ? "Use a code from my app instead" : "Use a recovery code instead"}
      </button>
    </div>
  );
}

function NewRecoveryCodes({ onReplaced }: { onReplaced: (codes: string[]) => void }) {
  const [state, dispatch, pending] = useActionState(async (prev: ActionResult | null, data: FormData) => {
    const result = await regenerateRecoveryCodesAction(prev, data);
    if (result.ok && result.revealedRecoveryCodes) onReplaced(result.revealedRecoveryCodes);
    return result;
  }, null);
  useActionToast(state);
  const { formRef, onSubmit } = useServerForm(state, dispatch);
  const error = state && !state.ok ? (state.fieldErrors?.code ?? state.message) : undefined;
  return (
    <Card>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4" aria-labelledby="new-codes-title">
        <h2 id="new-codes-title" className="text-lg font-semibold">
          New recovery codes
        </h2>
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          Makes 10 new recovery codes; the old ones stop working. Confirm with a code from your authenticator app.
        </p>
        <CodeInput
          id="new-codes-code"
          name="code"
          label="Authenticator code"
          hint="The 6-digit code your app shows now (a recovery code cannot renew them)."
          error={error}
        />
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Checking…" : "Make new recovery codes"}
        </Button>
      </form>
    </Card>
  );
}

function RemoveAuthenticator() {
  const [state, dispatch, pending] = useActionState(removeSecondFactorAction, null);
  useActionToast(state);
  const step = useConfirmStep<HTMLInputElement>({ busy: pending });
  const { formRef, onSubmit } = useServerForm(state, dispatch);
  // The form is the step (brought into view when it opens) and useServerForm's (a refused code takes focus).
  const { stepRef } = step;
  const setForm = useCallback(
    (form: HTMLFormElement | null) => {
      formRef.current = form;
      stepRef(form);
    },
    [formRef, stepRef],
  );
  const error = state && !state.ok ? (state.fieldErrors?.code ?? state.message) : undefined;
  return (
    <Card className="space-y-4">
      <h2 id="remove-title" className="text-lg font-semibold">
        Remove the authenticator
      </h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        For a new phone: remove this one, then set up the new app. Your recovery codes go with it.
      </p>
      {step.confirming ? (
        <form
          ref={setForm}
          onSubmit={onSubmit}
          onKeyDown={step.onKeyDown}
          noValidate
          aria-labelledby="remove-title"
          data-testid="remove-confirm"
          className="space-y-4 rounded-md border border-red-300 p-4 dark:border-red-800"
        >
          <p className="text-sm font-medium">
            Remove your authenticator? Sensitive actions will no longer ask for a code{" "}
            — and if your role requires one, you will have to set up a new one before doing anything else.
          </p>
          <AuthenticatorCodeField id="remove-code" error={error} inputRef={step.focusRef} />
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant="destructive" disabled={pending}>
              {pending ? "Removing…" : "Remove authenticator"}
            </Button>
            <Button type="button" variant="secondary" onClick={step.close} disabled={pending}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button ref={step.triggerRef} type="button" variant="destructive" onClick={step.open}>
          Remove…
        </Button>
      )}
    </Card>
  );
}

function RecoveryCodes({ revealed, onSaved }: { revealed: Revealed; onSaved: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | "downloaded" | null>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const text = [
    "Portico recovery codes",
    "Each code works once, in place of a code from your authenticator app.",
    "",
    ...revealed.codes,
    "",
  ].join("\n");
  async function copy() {
    try {
      await navigator.clipboard.writeText(revealed.codes.join("\n"));
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "portico-recovery-codes.txt";
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    setCopied("downloaded");
  }
  return (
    <Card className="max-w-2xl space-y-4" data-testid="recovery-codes">
      <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
        {revealed.reason === "setup" ? "Your authenticator is set up. Save your recovery codes" : "Your new recovery codes"}
      </h2>
      <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
        If you lose your phone, each of these codes works once instead of a code from your app. They are shown only now: Portico keeps
        only a fingerprint of each. Copy or download them and keep them somewhere safe, away from your phone.
        {revealed.reason === "replaced" ? " Your old recovery codes no longer work." : ""}
      </p>
      <ol className="grid grid-cols-1 gap-2 font-mono text-base min-[360px]:grid-cols-2" aria-label="Recovery codes">
        {revealed.codes.map((code) => (
          <li key={code} data-testid="recovery-code" className="rounded bg-zinc-100 px-3 py-1.5 text-center dark:bg-zinc-800">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={copy}>
          Copy all
        </Button>
        <Button type="button" variant="secondary" onClick={download}>
          Download (.txt)
        </Button>
        <Button type="button" onClick={onSaved}>
          I saved them
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-zinc-600 dark:text-zinc-400">
        {copied === "yes"
          ? "Recovery codes copied to the clipboard."
          : copied === "failed"
            ? "Could not copy: select the codes and copy them by hand, or download them."
            : copied === "downloaded"
              ? "Downloaded portico-recovery-codes.txt."
              : ""}
      </p>
    </Card>
  );
}
