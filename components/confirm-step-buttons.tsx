"use client";

import type { RefObject } from "react";
import { Button } from "@/components/ui/button";

/**
 * The two buttons of an in-place confirmation step (components/use-confirm-step.ts): the action,
 * destructive unless said otherwise, and the safe choice, which takes focus when the step opens.
 */
export function ConfirmStepButtons({
  step,
  pending,
  confirmLabel,
  pendingLabel,
  cancelLabel = "Cancel",
  destructive = true,
}: {
  step: { focusRef: RefObject<HTMLButtonElement | null>; close: () => void };
  pending: boolean;
  confirmLabel: string;
  pendingLabel: string;
  cancelLabel?: string;
  destructive?: boolean;
}) {
  return (
    <div className="flex flex-wrap gap-2">
      <Button type="submit" size="sm" variant={destructive ? "destructive" : undefined} disabled={pending}>
        {pending ? pendingLabel : confirmLabel}
      </Button>
      <Button ref={step.focusRef} type="button" size="sm" variant="secondary" onClick={step.close}>
        {cancelLabel}
      </Button>
    </div>
  );
}
