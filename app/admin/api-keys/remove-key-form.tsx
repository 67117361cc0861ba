"use client";

import { useActionToast } from "@/components/toast";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { Button } from "@/components/ui/button";
import { useConfirmStep } from "@/components/use-confirm-step";
import { useHydrated } from "@/components/use-hydrated";
import { removeApiKeyAction } from "./actions";

/** Remove asks first; once confirmed the token is refused at its next call. */
export function RemoveKeyForm({ id, name }: { id: string; name: string }) {
  const { state, pending, onSubmit } = useStepUpAction(removeApiKeyAction);
  useActionToast(state);
  const step = useConfirmStep({ busy: pending });
  const hydrated = useHydrated();
  if (state?.ok) {
    return (
      <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
        {state.message}
      </p>
    );
  }
  if (!step.confirming) {
    return (
      <Button ref={step.triggerRef} type="button" size="sm" variant="destructive" disabled={!hydrated} onClick={step.open} aria-label={`Remove ${name}`}>
        Remove
      </Button>
    );
  }
  return (
    <form ref={step.stepRef} onSubmit={onSubmit} className="max-w-64 space-y-2" onKeyDown={step.onKeyDown} role="group" aria-label={`Remove ${name}?`}>
      <input type="hidden" name="id" value={id} />
      <p className="text-sm">Remove <bdi>{name}</bdi>? Its token stops working at once. This cannot be undone.</p>
      <ConfirmStepButtons step={step} pending={pending} confirmLabel="Remove now" pendingLabel="Removing…" />
      {state && !state.ok ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
