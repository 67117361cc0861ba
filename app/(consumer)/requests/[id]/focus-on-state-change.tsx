"use client";

import { useEffect } from "react";
import { focusWasDropped, useAfterChange } from "@/components/use-focus-back";

/**
 * After an action changes the request's state (cancel, give up access), the button that did it is
 * gone with the re-rendered page; focus goes to the page's heading instead of falling to the body,
 * and the toast says what happened. Arriving from the cart's Submit request (`arrivalId`), focus
 * starts on the note that says what became of the request, not on the body.
 */
export function FocusOnStateChange({ status, targetId, arrivalId }: { status: string; targetId: string; arrivalId?: string }) {
  useEffect(() => {
    if (arrivalId && focusWasDropped()) document.getElementById(arrivalId)?.focus();
  }, [arrivalId]);
  useAfterChange(status, () => document.getElementById(targetId)?.focus());
  return null;
}
