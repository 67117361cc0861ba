"use client";

import { useActionState } from "react";
import { useConfirmStep } from "@/components/use-confirm-step";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { KeyReveal } from "@/components/key-reveal";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { Button } from "@/components/ui/button";
import { checkInAction, resendClaimLinkAction, rollKeyAction } from "./actions";

function Message({ state }: { state: { ok: boolean; message?: string } | null }) {
  return (
    <div aria-live="polite">
      {state?.message ? (
        <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700" : "text-sm text-red-600"}>
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

/** Roll: asks first, then shows the new key once. */
export function RollKey({ requestId, keyId, graceHours }: { requestId: string; keyId: string; graceHours: number }) {
  // A person with an authenticator is asked for a code first; the same form is sent again after it.
  const { state, pending, onSubmit } = useStepUpAction(rollKeyAction);
  const step = useConfirmStep({ busy: pending });
  if (state?.revealedKey) {
    const k = state.revealedKey;
    return (
      <div className="space-y-3">
        <KeyReveal plaintext={k.plaintext} start={k.start} expiresAt={k.expiresAt} note={k.note} />
        {/* A full load: the key above is gone after it, by design, and the list shows both keys. */}
        <a href={`/requests/${requestId}`} className="text-sm text-indigo-600 underline">
          I have saved it: show the updated keys
        </a>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      <input type="hidden" name="keyId" value={keyId} />
      {step.confirming ? (
        <div className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700" onKeyDown={step.onKeyDown}>
          <p>
            A new key is created and shown once. The current key keeps working for {graceHours} hours so you can switch
            over, then stops.
          </p>
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

export function CheckIn({ requestId }: { requestId: string }) {
  const [state, action, pending] = useActionState(checkInAction, null);
  const step = useConfirmStep({ busy: pending });
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="requestId" value={requestId} />
      {step.confirming ? (
        <div className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700" onKeyDown={step.onKeyDown}>
          <p>Check in when you no longer need this access: every key of this request stops working at once.</p>
          <ConfirmStepButtons step={step} pending={pending} confirmLabel="Check in and stop the key" pendingLabel="Checking in…" cancelLabel="Keep access" />
        </div>
      ) : (
        <Button ref={step.triggerRef} type="button" size="sm" variant="secondary" onClick={step.open}>
          Check in
        </Button>
      )}
      <Message state={state} />
    </form>
  );
}

export function ResendClaimLink({ requestId }: { requestId: string }) {
  const [state, action, pending] = useActionState(resendClaimLinkAction, null);
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
