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
export function useActionToast(state: ToastableState, options: { fallback?: string; errors?: boolean } = {}) {
  const seen = useRef<ToastableState>(null);
  const { fallback, errors } = options;
  useEffect(() => {
    if (!state || state === seen.current || state.stepUp) return;
    seen.current = state;
    if (state.ok) {
      const message = state.message ?? fallback;
      if (message) toast.success(message);
    } else if (errors && state.message && !state.fieldErrors) {
      toast.error(state.message);
    }
  }, [state, fallback, errors]);
}
