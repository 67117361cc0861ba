"use client";

import { Link } from "@/components/ui/link";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { toastingAction } from "@/components/toast";
import { useConfirmStep } from "@/components/use-confirm-step";
import type { ActionResult } from "@/lib/actions/action-result";
import { cancelRequestAction, removeRequestAction, resubmitRequestAction } from "./actions";

type Kind = "cancel" | "resubmit" | "remove";
const config: Record<Kind, { label: string; pending: string; variant: "secondary" | "destructive" | "primary"; action: (p: ActionResult | null, f: FormData) => Promise<ActionResult> }> = {
  // Cancelled, the page renders the request without this form, so the toast is said by the action
  // (the confirm step needs JavaScript anyway). Resubmit and Remove redirect: they stay server
  // actions, and post without JavaScript too.
  cancel: { label: "Cancel request", pending: "Cancelling…", variant: "destructive", action: toastingAction(cancelRequestAction) },
  resubmit: { label: "Resubmit", pending: "Resubmitting…", variant: "primary", action: resubmitRequestAction },
  remove: { label: "Remove from list", pending: "Removing…", variant: "secondary", action: removeRequestAction },
};

export function RequestAction({ kind, requestId }: { kind: Kind; requestId: string }) {
  const c = config[kind];
  const [state, action, pending] = useActionState(c.action, null);
  // Cancelling cannot be undone (only resubmitted as a new request), so it asks first.
  const step = useConfirmStep({ busy: pending });
  const asks = kind === "cancel";
  return (
    <form action={action} className="space-y-1" onKeyDown={asks ? step.onKeyDown : undefined}>
      <input type="hidden" name="requestId" value={requestId} />
      {asks && !step.confirming ? (
        <Button ref={step.triggerRef} type="button" variant={c.variant} size="sm" onClick={step.open}>
          {c.label}
        </Button>
      ) : asks ? (
        <div ref={step.stepRef} role="group" aria-label="Cancel this request?" className="flex flex-wrap items-center gap-2">
          <span className="text-sm">Cancel this request? The API owners will no longer see it.</span>
          <Button type="submit" variant="destructive" size="sm" disabled={pending}>
            {pending ? c.pending : "Yes, cancel it"}
          </Button>
          <Button ref={step.focusRef} type="button" variant="secondary" size="sm" onClick={step.close} disabled={pending}>
            Keep it
          </Button>
        </div>
      ) : (
        <Button type="submit" variant={c.variant} size="sm" disabled={pending}>
          {pending ? c.pending : c.label}
        </Button>
      )}
      <div aria-live="polite">
        {state && !state.ok && state.message ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {state.message}{" "}
            {state.link ? (
              <Link href={state.link.href} className="underline">
                {state.link.label}
              </Link>
            ) : null}
          </p>
        ) : null}
      </div>
    </form>
  );
}
