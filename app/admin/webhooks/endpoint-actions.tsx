"use client";

import { useActionToast } from "@/components/toast";
import { startTransition, useActionState, useEffect, useState } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/use-hydrated";
import type { ActionResult } from "@/lib/actions/action-result";
import { removeWebhookEndpointAction, rotateWebhookSecretAction, sendTestEventAction, setWebhookEndpointEnabledAction } from "./actions";
import { ConfirmDialog } from "./confirm-dialog";
import { SecretDialog } from "./secret-dialog";

const formOf = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

/** The answer of the last action, beside its button: a status when done, an alert when refused. */
function Outcome({ state }: { state: ActionResult | null }) {
  if (!state?.message) return null;
  return state.ok ? (
    <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
      {state.message}
    </p>
  ) : (
    <p role="alert" className="text-sm text-red-700 dark:text-red-300">
      {state.message}
    </p>
  );
}

/** Send test event, Enable/Disable, Rotate secret and Remove for one endpoint. */
export function EndpointActions({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const hydrated = useHydrated();
  const [test, sendTest, testing] = useActionState(sendTestEventAction, null);
  useActionToast(test);
  const { state: toggled, dispatch: toggle, pending: toggling } = useStepUpAction(setWebhookEndpointEnabledAction);
  useActionToast(toggled);
  // Rotating makes a new secret: privileged (step-up).
  const { state: rotated, dispatch: rotate, pending: rotating } = useStepUpAction(rotateWebhookSecretAction);
  useActionToast(rotated);
  const [removed, remove, removing] = useActionState(removeWebhookEndpointAction, null);
  useActionToast(removed);
  const [rotateOpen, setRotateOpen] = useState(false);
  const [removeOpen, setRemoveOpen] = useState(false);
  const [dismissed, setDismissed] = useState<ActionResult | null>(null);
  // The latest answer of any of the four, so one live region says what just happened.
  const [latest, setLatest] = useState<ActionResult | null>(null);

  useEffect(() => setLatest(test), [test]);
  useEffect(() => setLatest(toggled), [toggled]);
  useEffect(() => {
    setLatest(rotated);
    if (rotated?.ok) setRotateOpen(false);
  }, [rotated]);
  useEffect(() => {
    if (removed?.ok) setRemoveOpen(false);
  }, [removed]);

  const secret = rotated?.ok && dismissed !== rotated ? rotated.revealedWebhookSecret : undefined;
  const busy = !hydrated || testing || toggling || rotating || removing;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button type="button" size="sm" disabled={busy} onClick={() => startTransition(() => sendTest(formOf({ id })))}>
          {testing ? "Sending…" : "Send test event"}
        </Button>
        <Button type="button" size="sm" variant="secondary" disabled={busy} onClick={() => startTransition(() => toggle(formOf({ id, enabled: enabled ? "false" : "true" })))}>
          {toggling ? (enabled ? "Disabling…" : "Enabling…") : enabled ? "Disable" : "Enable"}
        </Button>
        <ConfirmDialog
          open={rotateOpen}
          onOpenChange={setRotateOpen}
          trigger={
            <Button type="button" size="sm" variant="secondary" disabled={busy}>
              Rotate secret
            </Button>
          }
          title={`Rotate the signing secret of ${name}?`}
          confirmLabel="Rotate secret"
          pendingLabel="Rotating…"
          pending={rotating}
          error={rotated && !rotated.ok ? rotated.message : undefined}
          onConfirm={() => startTransition(() => rotate(formOf({ id })))}
        >
          <p>A new secret is made and shown once. The old secret keeps signing beside it for 24 hours (every message carries both signatures), then stops.</p>
          <p>Give the receiver the new secret within those 24 hours, or its checks will start failing.</p>
        </ConfirmDialog>
        <ConfirmDialog
          open={removeOpen}
          onOpenChange={setRemoveOpen}
          trigger={
            <Button type="button" size="sm" variant="destructive" disabled={busy}>
              Remove
            </Button>
          }
          title={`Remove ${name}?`}
          confirmLabel="Remove endpoint"
          pendingLabel="Removing…"
          pending={removing}
          danger
          error={removed && !removed.ok ? removed.message : undefined}
          onConfirm={() => startTransition(() => remove(formOf({ id })))}
        >
          <p>No more events are sent to it, and its delivery log is deleted. This cannot be undone.</p>
          <p>Plans that hand approval to this endpoint fall back to manual approval: their requests wait in the approval queue for an owner or admin.</p>
        </ConfirmDialog>
      </div>
      <div aria-live="polite">
        <Outcome state={latest} />
      </div>
      {secret ? (
        <SecretDialog title="New signing secret" name={secret.name} secret={secret.secret} previousValidUntil={secret.previousValidUntil} onClosed={() => setDismissed(rotated)} />
      ) : null}
    </div>
  );
}
