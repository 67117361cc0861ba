"use client";

import { useActionToast } from "@/components/toast";
import { startTransition, useActionState } from "react";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/use-hydrated";
import { useServerForm } from "@/components/use-server-form";
import { recoverFailedDeliveriesAction, resendDeliveryAction } from "./actions";

/**
 * Resend one message: attempted again at once with the same webhook-id. While the message is
 * pending (`waiting`) the button stays, disabled, so the answer beside it stays after the re-render.
 */
export function ResendButton({ id, deliveryId, eventId, waiting }: { id: string; deliveryId: string; eventId: string; waiting: boolean }) {
  const [state, action, pending] = useActionState(resendDeliveryAction, null);
  useActionToast(state);
  const hydrated = useHydrated();
  const send = () => {
    const data = new FormData();
    data.set("id", id);
    data.set("deliveryId", deliveryId);
    startTransition(() => action(data));
  };
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button type="button" size="sm" variant="secondary" disabled={!hydrated || pending || waiting} onClick={send} aria-label={`${pending ? "Resending" : "Resend"} ${eventId}`} title={waiting ? "Waiting for its next attempt" : undefined}>
        {pending ? "Resending…" : "Resend"}
      </Button>
      <span aria-live="polite" className="text-xs">
        {state?.message ? (
          <span role={state.ok ? "status" : "alert"} className={state.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}>
            {state.message}
          </span>
        ) : null}
      </span>
    </span>
  );
}

/** Recover: every failed message since a chosen time (UTC) is attempted again. */
export function RecoverForm({ id, defaultSince }: { id: string; defaultSince: string }) {
  const [state, action, pending] = useActionState(recoverFailedDeliveriesAction, null);
  useActionToast(state);
  const hydrated = useHydrated();
  const { formRef, onSubmit } = useServerForm(state, action);
  const error = state?.fieldErrors?.since;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-2" aria-label="Recover failed messages">
      <input type="hidden" name="id" value={id} />
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <label className="text-sm font-medium">
          Failed since (UTC)
          <input
            name="since"
            type="datetime-local"
            defaultValue={state?.values?.since ?? defaultSince}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "since-error" : undefined}
            className="mt-1 block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm font-normal aria-[invalid=true]:border-red-500 sm:w-auto dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <Button type="submit" variant="secondary" disabled={!hydrated || pending}>
          {pending ? "Recovering…" : "Recover failed messages"}
        </Button>
      </div>
      <div aria-live="polite" className="text-sm">
        {error ? (
          <p id="since-error" role="alert" className="text-red-600 dark:text-red-400">
            {error}
          </p>
        ) : state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}>
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
