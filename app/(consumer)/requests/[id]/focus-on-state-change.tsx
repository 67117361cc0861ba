"use client";

import { useEffect } from "react";
import { focusWasDropped, useAfterChange } from "@/components/use-focus-back";

/** The request page's arrival flags (app/(consumer)/requests/[id]/page.tsx's `welcome`). */
const ARRIVAL_FLAGS = ["submitted", "resubmitted"] as const;

/**
 * After an action changes the request's state (cancel, give up access), the button that did it is
 * gone with the re-rendered page; focus goes to the page's heading instead of falling to the body,
 * and the toast says what happened. Arriving from the cart's Submit request (`arrivalId`), focus
 * starts on the note that says what became of the request, not on the body. The note is said once:
 * its flag (`?submitted=1`, `?resubmitted=1`) leaves the address, so a reload or a copied link shows
 * the request without it (history.replaceState, which Next's router follows without a new render).
 */
export function FocusOnStateChange({ status, targetId, arrivalId }: { status: string; targetId: string; arrivalId?: string }) {
  useEffect(() => {
    if (!arrivalId) return;
    if (focusWasDropped()) document.getElementById(arrivalId)?.focus();
    const url = new URL(window.location.href);
    for (const flag of ARRIVAL_FLAGS) url.searchParams.delete(flag);
    window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
  }, [arrivalId]);
  useAfterChange(status, () => document.getElementById(targetId)?.focus());
  return null;
}
