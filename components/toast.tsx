"use client";

import { useEffect, useRef } from "react";
import { toast as sonner } from "sonner";

/**
 * Feedback for a completed action. Say what happened and, where it helps, what to do next:
 * `toast.success("Key revoked. Apps using it stop working within a minute.")`.
 */
export const toast = {
  success: (message: string) => sonner.success(message),
  error: (message: string) => sonner.error(message),
  info: (message: string) => sonner.info(message),
};

type ToastableState = { ok: boolean; message?: string; fieldErrors?: Record<string, string>; stepUp?: boolean } | null;

/**
 * Shows a toast each time a server action's state (useActionState / useStepUpAction) turns into a
 * new answer: a success toast for `ok` (its message, or `fallback`), and, with `errors: true`, an
 * error toast for a refusal without field errors (those are shown beside their fields).
 */
export function useActionToast(state: ToastableState, options: ToastOptions = {}) {
  const seen = useRef<ToastableState>(null);
  const { fallback, errors } = options;
  useEffect(() => {
    if (!state || state === seen.current) return;
    seen.current = state;
    announce(state, { fallback, errors });
  }, [state, fallback, errors]);
}

type ToastOptions = { fallback?: string; errors?: boolean };

function announce(state: ToastableState | undefined, { fallback, errors }: ToastOptions) {
  // Nothing to say for an action that asks for a second factor first.
  if (!state || state.stepUp) return;
  if (state.ok) {
    const message = state.message ?? fallback;
    if (message) toast.success(message);
  } else if (errors && state.message && !state.fieldErrors) {
    toast.error(state.message);
  }
}

/**
 * The action with its toast said as its answer arrives, for a form that a success removes from the
 * page: the re-rendered page shows the request's new state with other buttons, in the same commit
 * as the answer, so an effect on the form's state (useActionToast) would never run and the toast
 * was never seen. Declare it once, outside the component: `const checkIn = toastingAction(checkInAction);`
 * The form's action is then a client function: it does not post without JavaScript, so use it where
 * the form needs JavaScript anyway (a confirm step). An action that redirects rejects, as unwrapped.
 */
export function toastingAction<P, R extends NonNullable<ToastableState>>(action: (previous: P, data: FormData) => Promise<R>, options: ToastOptions = {}) {
  return async (previous: P, data: FormData): Promise<R> => {
    const result = await action(previous, data);
    announce(result as R | undefined, options);
    return result;
  };
}
