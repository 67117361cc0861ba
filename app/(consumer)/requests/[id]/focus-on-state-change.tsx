"use client";

import { useEffect, useRef } from "react";

/**
 * After an action changes the request's state (cancel, give up access), the button that did it is
 * gone with the re-rendered page; focus goes to the page's heading instead of falling to the body,
 * and the toast says what happened.
 */
export function FocusOnStateChange({ status, targetId }: { status: string; targetId: string }) {
  const first = useRef(status);
  useEffect(() => {
    if (status !== first.current) {
      first.current = status;
      document.getElementById(targetId)?.focus();
    }
  }, [status, targetId]);
  return null;
}
