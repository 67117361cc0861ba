"use client";

import { useId } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useConfirmStep } from "@/components/use-confirm-step";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { Button } from "@/components/ui/button";
import { changeRoleAction, resetAuthenticatorAction, setDisabledAction } from "./actions";

function Result({ state }: { state: { ok: boolean; message?: string } | null }) {
  return (
    <p aria-live="polite" className={state?.ok ? "text-xs text-emerald-700" : "text-xs text-red-600"}>
      {state?.message ?? ""}
    </p>
  );
}

export function RoleForm({ userId, role, email }: { userId: string; role: string; email: string }) {
  // Privileged (step-up): while the code is asked for, the chosen role stays selected.
  const { state, pending, onSubmit } = useStepUpAction(changeRoleAction);
  const id = useId();
  return (
    <form onSubmit={onSubmit} className="space-y-1">
      <input type="hidden" name="userId" value={userId} />
      <div className="flex items-center gap-2">
        <label htmlFor={id} className="sr-only">
          Role of {email}
        </label>
        {/* Keyed by the saved role: React applies a select's defaultValue only when it mounts, and the
            form resets to it after Save, so without the key the select snapped back to the old role. */}
        <select key={role} id={id} name="role" defaultValue={role} className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          <option value="consumer">Consumer</option>
          <option value="owner">Owner</option>
          <option value="admin">Admin</option>
        </select>
        <Button type="submit" size="sm" variant="secondary" disabled={pending}>
          {pending ? "Saving…" : "Save role"}
        </Button>
      </div>
      <Result state={state} />
    </form>
  );
}

/**
 * Disable asks first. Open requests are always cancelled; whether the working keys stop too is
 * the admin's choice, revoking by default (offered only when there are keys to revoke).
 */
export function DisableForm({ userId, email, disabled, workingKeys }: { userId: string; email: string; disabled: boolean; workingKeys: number }) {
  const { state, pending, onSubmit } = useStepUpAction(setDisabledAction);
  const step = useConfirmStep({ busy: pending });
  if (disabled) {
    return (
      <form onSubmit={onSubmit} className="space-y-1">
        <input type="hidden" name="userId" value={userId} />
        <input type="hidden" name="disabled" value="false" />
        <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`Enable ${email}`}>
          {pending ? "Enabling…" : "Enable"}
        </Button>
        <Result state={state} />
      </form>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value="true" />
      {step.confirming ? (
        <div
          className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700"
          role="group"
          aria-label={`Disable ${email}`}
          onKeyDown={step.onKeyDown}
        >
          <p>
            {email} will be signed out everywhere and cannot sign in. Their pending and approved requests are cancelled, so
            none can be approved or claimed. They get one email listing what ended.
          </p>
          {workingKeys > 0 ? (
            <>
              <label className="flex items-center gap-2">
                <input type="checkbox" name="revokeKeys" value="on" defaultChecked /> Also revoke their working keys ({workingKeys})
              </label>
              <p className="text-xs text-zinc-500">Untick to keep their keys working until they expire or are revoked.</p>
            </>
          ) : (
            <p className="text-xs text-zinc-500">They have no working keys.</p>
          )}
          <ConfirmStepButtons step={step} pending={pending} confirmLabel="Disable now" pendingLabel="Disabling…" />
        </div>
      ) : (
        <Button ref={step.triggerRef} type="button" size="sm" variant="secondary" onClick={step.open} aria-label={`Disable ${email}`}>
          Disable
        </Button>
      )}
      <Result state={state} />
    </form>
  );
}

/** Reset another person's authenticator (a lost phone). Asks first, naming them; privileged (step-up). */
export function ResetAuthenticatorForm({ userId, email, hasAuthenticator }: { userId: string; email: string; hasAuthenticator: boolean }) {
  const { state, pending, onSubmit } = useStepUpAction(resetAuthenticatorAction);
  const step = useConfirmStep({ busy: pending });
  if (state?.ok) {
    return (
      <p role="status" className="mt-1 text-xs text-emerald-700">
        {state.message}
      </p>
    );
  }
  if (!hasAuthenticator) return null;
  return (
    <form onSubmit={onSubmit} className="mt-1 space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="email" value={email} />
      {step.confirming ? (
        <div
          className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700"
          role="group"
          aria-label={`Reset the authenticator of ${email}`}
          onKeyDown={step.onKeyDown}
        >
          <p>
            Reset the authenticator of {email}? Their authenticator and recovery codes stop working at once and they are emailed.
            If the policy covers them, they must set up a new one at their next sign-in.
          </p>
          <ConfirmStepButtons step={step} pending={pending} confirmLabel="Reset now" pendingLabel="Resetting…" />
        </div>
      ) : (
        <Button ref={step.triggerRef} type="button" size="sm" variant="secondary" onClick={step.open} aria-label={`Reset the authenticator of ${email}`}>
          Reset authenticator
        </Button>
      )}
      {state && !state.ok ? <Result state={state} /> : null}
    </form>
  );
}
