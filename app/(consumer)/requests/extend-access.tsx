"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { useActionToast } from "@/components/toast";
import { extendRequestAction } from "./actions";

/** Ask for more time on an available access: an optional reason, one button. */
export function ExtendAccess({ requestId, days }: { requestId: string; days: number }) {
  // A server action, so the form posts without JavaScript too. Asked, the page shows the extension
  // waiting (its own status line says so) instead of this form; a refusal stays here.
  const [state, action, pending] = useActionState(extendRequestAction, null);
  useActionToast(state);
  const error = state?.fieldErrors?.reason;
  return (
    <form action={action} className="space-y-3" aria-label="Ask for more time">
      <input type="hidden" name="requestId" value={requestId} />
      <label htmlFor="extend-reason" className="block text-sm font-medium">
        Why do you need more time? (optional)
      </label>
      <Textarea
        id="extend-reason"
        name="reason"
        rows={2}
        maxLength={2000}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "extend-reason-error" : undefined}
      />
      {error ? (
        <p id="extend-reason-error" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" size="sm" disabled={pending}>
        {pending ? "Asking…" : `Ask for ${days} more days`}
      </Button>
      <div aria-live="polite">
        {/* A success: the card below says where the request stands. */}
        {state && !state.ok && state.message ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
