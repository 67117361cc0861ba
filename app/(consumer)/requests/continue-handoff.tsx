"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { continueHandoffAction } from "./actions";

/** "Continue at billing.example": back to the third party, with a fresh reference minted on the server. */
export function ContinueHandoff({ requestId, host }: { requestId: string; host: string }) {
  const [state, action, pending] = useActionState(continueHandoffAction, null);
  return (
    <form action={action} className="space-y-1">
      <input type="hidden" name="requestId" value={requestId} />
      <Button type="submit" size="sm" disabled={pending}>
        {pending ? "Opening…" : `Continue at ${host}`}
      </Button>
      <div aria-live="polite">
        {state && !state.ok && state.message ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
