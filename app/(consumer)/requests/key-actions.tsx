"use client";

import { useActionState, useEffect, useRef } from "react";
import { useConfirmStep } from "@/components/use-confirm-step";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { KeyReveal } from "@/components/key-reveal";
import { OAuthClientReveal } from "@/components/oauth-client-reveal";
import { toastingAction, useActionToast } from "@/components/toast";
import { useKeyClaimed } from "./key-claimed";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { Button } from "@/components/ui/button";
import { claimButtonLabel } from "@/components/claim-button-label";
import { GRACE_CHOICES, graceWords } from "@/lib/keys/roll-grace";
import { checkInAction, generateKeyAction, resendClaimLinkAction, rollKeyAction } from "./actions";

/** A refusal, beside the button; a success is a toast (useActionToast), since the form often goes with it. */
function Message({ state }: { state: { ok: boolean; message?: string } | null }) {
  return (
    <div aria-live="polite">
      {state && !state.ok && state.message ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

/** The grace choice: none, 1 h, 24 h, 7 days; those above the plan's cap are shown disabled, with why. */
function GraceChoice({ maxGraceHours, defaultGraceHours, error }: { maxGraceHours: number; defaultGraceHours: number; error?: string }) {
  const capped = GRACE_CHOICES.some((c) => c.hours > maxGraceHours);
  return (
    <fieldset className="space-y-1" aria-describedby={[capped ? "grace-cap" : null, error ? "graceHours-error" : null].filter(Boolean).join(" ") || undefined}>
      <legend className="font-medium">How long should the current key keep working?</legend>
      {GRACE_CHOICES.map((c) => {
        const allowed = c.hours <= maxGraceHours;
        return (
          <label key={c.hours} className={`flex items-center gap-2 ${allowed ? "" : "text-zinc-500 dark:text-zinc-400"}`}>
            <input type="radio" name="graceHours" value={c.hours} defaultChecked={c.hours === defaultGraceHours} disabled={!allowed} required />
            {c.label}
            {allowed ? null : <span className="text-xs">(above this plan&apos;s limit)</span>}
          </label>
        );
      })}
      {capped ? (
        <p id="grace-cap" className="text-xs text-zinc-500 dark:text-zinc-400">
          {`This plan lets a rolled key keep working for at most ${graceWords(maxGraceHours)}.`}
        </p>
      ) : null}
      {error ? (
        <p id="graceHours-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Once a new key is shown, focus goes to it, ready to copy. */
function useFocusKey(revealed: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (revealed) ref.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, [revealed]);
  return ref;
}

type RollKeyProps = {
  requestId: string;
  keyId: string;
  /** The plan snapshot's cap on the grace (hours). */
  maxGraceHours: number;
  defaultGraceHours: number;
  /** The Roll key page: the choice and the one confirmation are shown at once, without a first button. */
  standalone?: boolean;
};

/** Roll: asks first (with the grace choice), then shows the new key once. */
export function RollKey({ requestId, keyId, maxGraceHours, defaultGraceHours, standalone = false }: RollKeyProps) {
  // A person with an authenticator is asked for a code first; the same form is sent again after it.
  const { state, pending, onSubmit } = useStepUpAction(rollKeyAction);
  useActionToast(state);
  const step = useConfirmStep({ busy: pending });
  const revealRef = useFocusKey(Boolean(state?.revealedKey));
  if (state?.revealedKey) {
    const k = state.revealedKey;
    return (
      <div ref={revealRef} className="space-y-3">
        <KeyReveal plaintext={k.plaintext} start={k.start} expiresAt={k.expiresAt} note={k.note} />
        {/* A full load: the key above is gone after it, by design, and the list shows both keys. */}
        <a href={`/requests/${requestId}`} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
          I have saved it: show the updated keys
        </a>
      </div>
    );
  }
  const explanation = (
    <p>A new key is created and shown once. Choose how long the current key keeps working so you can switch over; then it stops.</p>
  );
  const choice = <GraceChoice maxGraceHours={maxGraceHours} defaultGraceHours={defaultGraceHours} error={state?.fieldErrors?.graceHours} />;
  return (
    <form onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      <input type="hidden" name="keyId" value={keyId} />
      {standalone ? (
        <div className="space-y-3 text-sm">
          {explanation}
          {choice}
          <Button type="submit" disabled={pending}>
            {pending ? "Rolling…" : "Roll the key"}
          </Button>
        </div>
      ) : step.confirming ? (
        <div ref={step.stepRef} role="group" aria-label="Roll this key?" className="space-y-3 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700" onKeyDown={step.onKeyDown}>
          {explanation}
          {choice}
          <ConfirmStepButtons step={step} pending={pending} confirmLabel="Roll the key" pendingLabel="Rolling…" cancelLabel="Keep the current key" destructive={false} />
        </div>
      ) : (
        <Button ref={step.triggerRef} type="button" size="sm" onClick={step.open}>
          Roll key
        </Button>
      )}
      <Message state={state} />
    </form>
  );
}

// Given up, the page renders the request checked in, without this form: the toast is said by the
// action (the confirm step needs JavaScript anyway).
const checkIn = toastingAction(checkInAction);

/** Check in (the state's name): the requester gives up the access, and its keys stop at once. */
export function CheckIn({ requestId }: { requestId: string }) {
  const [state, action, pending] = useActionState(checkIn, null);
  const step = useConfirmStep({ busy: pending });
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      {step.confirming ? (
        <div ref={step.stepRef} role="group" aria-label="Give up this access?" className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700" onKeyDown={step.onKeyDown}>
          <p>Give up this access when you no longer need it: every key of this request stops working at once. This cannot be undone; you can request access again later.</p>
          <ConfirmStepButtons step={step} pending={pending} confirmLabel="Give up access and stop the key" pendingLabel="Giving up access…" cancelLabel="Keep access" />
        </div>
      ) : (
        <Button ref={step.triggerRef} type="button" size="sm" variant="destructive" onClick={step.open}>
          Give up access
        </Button>
      )}
      <Message state={state} />
    </form>
  );
}

export function ResendClaimLink({ requestId }: { requestId: string }) {
  const [state, action, pending] = useActionState(resendClaimLinkAction, null);
  useActionToast(state);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending}>
        {pending ? "Sending…" : "Send me a new claim link"}
      </Button>
      <Message state={state} />
    </form>
  );
}

/**
 * Generate key: the requester's own one-time claim from the request page (same key, same once-only
 * view as the emailed link, which then says it was used). Focus goes to the key so it can be copied.
 * `credential` "client": an OAuth 2.0 product's request, which yields a client id and secret instead.
 */
export function GenerateKey({ requestId, credential }: { requestId: string; credential: "key" | "client" }) {
  // A person with an authenticator is asked for a code first; the same form is sent again after it.
  const { state, pending, onSubmit } = useStepUpAction(generateKeyAction);
  useActionToast(state);
  const revealed = state?.revealedKey;
  const revealedClient = state?.revealedClient;
  const shown = Boolean(revealed ?? revealedClient);
  const revealRef = useFocusKey(shown);
  // The page around this form is not re-rendered (that would unmount the key): it is told instead.
  const { markClaimed } = useKeyClaimed();
  useEffect(() => {
    if (shown) markClaimed();
  }, [shown, markClaimed]);
  if (shown) {
    return (
      <div ref={revealRef} className="space-y-3">
        {revealedClient ? (
          <OAuthClientReveal client={revealedClient} />
        ) : revealed ? (
          <KeyReveal plaintext={revealed.plaintext} start={revealed.start} expiresAt={revealed.expiresAt} />
        ) : null}
        {/* A full load: the secret above is gone after it, by design; the page then shows what is kept. */}
        <a href={`/requests/${requestId}`} className="text-sm text-indigo-600 underline dark:text-indigo-400">
          {revealedClient ? "I have saved it: show the request" : "I have saved it: show the key's details"}
        </a>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      <Button type="submit" disabled={pending}>
        {claimButtonLabel(credential, pending)}
      </Button>
      <Message state={state} />
    </form>
  );
}
