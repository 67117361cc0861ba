"use client";

import { type ReactNode, useEffect, useRef } from "react";
import { focusWasDropped, useAfterChange } from "@/components/use-focus-back";

/**
 * The detail panel's heading takes focus when a request is opened (the panel sits after the table
 * and its paging in the page, so a keyboard user would otherwise tab through them to reach it). While
 * it stays open, `stage` (its status, and whether this viewer may still decide it) moves when Approve
 * or Deny went through, a partial approval included: the decision form is gone with the button that
 * had the focus, which then falls to <body>, and the heading takes it. Only then: a bulk decision's
 * result, which takes the focus itself (BulkResult), keeps it.
 */
export function PanelHeading({ requestId, stage, children }: { requestId: string; stage: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [requestId]);
  useAfterChange(stage, () => {
    if (focusWasDropped()) ref.current?.focus();
  });
  return (
    <h2 ref={ref} tabIndex={-1} className="rounded-sm font-semibold focus:outline-none focus-visible:outline-2 focus-visible:outline-offset-2">
      {children}
    </h2>
  );
}
