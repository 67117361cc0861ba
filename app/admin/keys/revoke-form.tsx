"use client";

import { useId } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { toastingAction } from "@/components/toast";
import { useConfirmStep } from "@/components/use-confirm-step";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import type { RecentCalls } from "@/lib/usage/queries";
import { recentUseWords, usedLately } from "@/lib/usage/recent-use-words";
import { revokeAction } from "./actions";

// The toast is said as the answer arrives: on the Keys page a revoked row renders no actions, so
// this form, and its status line, are gone with the re-render.
const revoke = toastingAction(revokeAction);

/**
 * Revoke with a reason (the requester reads it). Two steps, so a stray click stops nothing; the
 * second names how much the access was used lately (its calls today and yesterday), so nobody
 * cuts off a busy integration by accident.
 */
export function RevokeForm({
  requestId,
  keyStart,
  label,
  recentCalls,
}: {
  requestId: string;
  keyStart?: string;
  label?: string;
  recentCalls?: RecentCalls;
}) {
  // Privileged: may ask for an authenticator code first; the typed reason stays meanwhile.
  const { state, pending, onSubmit } = useStepUpAction(revoke);
  const step = useConfirmStep<HTMLTextAreaElement>({ busy: pending });
  const id = useId();
  if (state?.ok) {
    return (
      <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
        {state.message}
      </p>
    );
  }
  if (!step.confirming) {
    return (
      <Button ref={step.triggerRef} type="button" size="sm" variant="destructive" onClick={step.open} aria-label={keyStart ? `Revoke ${keyStart}…` : undefined}>
        {label ?? "Revoke"}
      </Button>
    );
  }
  return (
    <form ref={step.stepRef} onSubmit={onSubmit} className="space-y-2" onKeyDown={step.onKeyDown}>
      <input type="hidden" name="requestId" value={requestId} />
      {recentCalls ? (
        <p className={`text-sm ${usedLately(recentCalls) ? "font-medium text-amber-800 dark:text-amber-300" : "text-zinc-600 dark:text-zinc-400"}`} data-testid="revoke-usage">
          {recentUseWords(recentCalls, "revoke")}
        </p>
      ) : null}
      <label htmlFor={id} className="block text-sm font-medium">
        Why? The requester is emailed this.
      </label>
      <Textarea
        ref={step.focusRef}
        id={id}
        name="reason"
        required
        rows={2}
        defaultValue={state?.values?.reason}
        aria-invalid={state?.fieldErrors?.reason ? true : undefined}
        density="compact"
        // No light fill: in a table row the row's own shade (hover, current) shows through.
        className="inline-block min-w-56 bg-transparent"
      />
      {state?.fieldErrors?.reason ? <p className="text-sm text-red-600 dark:text-red-400">{state.fieldErrors.reason}</p> : null}
      <div className="flex gap-2">
        <Button type="submit" size="sm" variant="destructive" disabled={pending}>
          {pending ? "Revoking…" : "Revoke now"}
        </Button>
        <Button type="button" size="sm" variant="secondary" onClick={step.close}>
          Cancel
        </Button>
      </div>
      {state && !state.ok && !state.fieldErrors ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
