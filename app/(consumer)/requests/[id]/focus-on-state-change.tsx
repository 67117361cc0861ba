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
 * the request without it (history.replaceState, which Next's router follows, so a later refresh of
 * the page does not put it back).
 */
export function FocusOnStateChange({ status, targetId, arrivalId }: { status: string; targetId: string; arrivalId?: string }) {
  useEffect(() => {
    if (!arrivalId) return;
    if (focusWasDropped()) document.getElementById(arrivalId)?.focus();
    // After every effect of this commit: on a full page load Next's router hooks replaceState in an
    // effect of its own, which runs after this one (a child's), and an unhooked call would leave the
    // router's own copy of the address flagged.
    const later = setTimeout(() => {
      const url = new URL(window.location.href);
      for (const flag of ARRIVAL_FLAGS) url.searchParams.delete(flag);
      window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
    });
    return () => clearTimeout(later);
  }, [arrivalId]);
  useAfterChange(status, () => document.getElementById(targetId)?.focus());
  return null;
}
