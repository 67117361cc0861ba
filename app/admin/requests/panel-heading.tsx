"use client";

import { type ReactNode, useEffect, useRef } from "react";

/**
 * The detail panel's heading takes focus when a request is opened (the panel sits after the table
 * and its paging in the page, so a keyboard user would otherwise tab through them to reach it), and
 * again when the request's status changes while it is open: after Approve or Deny the decision form
 * is gone with the button that had the focus.
 */
export function PanelHeading({ requestId, status, children }: { requestId: string; status: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [requestId, status]);
  return (
    <h2 ref={ref} tabIndex={-1} className="font-semibold focus:outline-none focus-visible:outline-2">
      {children}
    </h2>
  );
}
