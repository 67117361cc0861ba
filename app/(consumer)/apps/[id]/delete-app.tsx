"use client";

import { useActionToast } from "@/components/toast";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { useConfirmStep } from "@/components/use-confirm-step";
import { deleteAppAction } from "../actions";

/**
 * Delete with a confirmation step in place of a modal: the first button only reveals the question,
 * focus moves to the safe choice, and Escape or "Keep it" puts focus back where it was.
 */
export function DeleteApp({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(deleteAppAction, null);
  useActionToast(state);
  const step = useConfirmStep({ busy: pending });

  const error = state && !state.ok ? (state.fieldErrors?.id ?? state.message) : undefined;
  return (
    <section aria-labelledby="delete-app-title" className="space-y-3">
      <h2 id="delete-app-title" className="text-lg font-semibold">
        Delete app
      </h2>
      {step.confirming ? (
        <form
          ref={step.stepRef}
          action={action}
          role="group"
          aria-labelledby="delete-app-question"
          aria-describedby="delete-app-consequence"
          className="space-y-3 rounded-md border border-red-300 bg-red-50 p-4 dark:border-red-900 dark:bg-red-950/40"
          onKeyDown={step.onKeyDown}
        >
          <input type="hidden" name="id" value={id} />
          <p id="delete-app-question" className="font-medium text-red-900 dark:text-red-200">
            Are you sure?
          </p>
          <p id="delete-app-consequence" className="text-sm text-red-800 dark:text-red-300">
            This deletes the app “{name}”. It disappears from your apps everywhere in Portico, and you cannot undo it.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant="destructive" disabled={pending}>
              {pending ? "Deleting…" : "Delete app"}
            </Button>
            <Button asChild variant="secondary">
              <button ref={step.focusRef} type="button" disabled={pending} onClick={step.close}>
                Keep it
              </button>
            </Button>
          </div>
        </form>
      ) : (
        <>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Removes the app from your list. You will be asked to confirm.</p>
          <Button asChild variant="destructive">
            <button ref={step.triggerRef} type="button" onClick={step.open}>
              Delete app…
            </button>
          </Button>
        </>
      )}
      {error ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </section>
  );
}
