"use client";

import { type KeyboardEvent, useEffect, useRef, useState } from "react";

/**
 * A confirmation step shown in place (instead of a modal): opening moves focus into the step
 * (`focusRef`, usually the safe choice or the first field), and closing by Cancel or Escape puts
 * focus back on the button that opened it (`triggerRef`). Spread `onKeyDown` on the step's element.
 */
export function useConfirmStep<F extends HTMLElement = HTMLButtonElement>({ busy = false }: { busy?: boolean } = {}) {
  const [confirming, setConfirming] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const focusRef = useRef<F>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    if (confirming) focusRef.current?.focus();
    else if (wasOpen.current) triggerRef.current?.focus();
    wasOpen.current = confirming;
  }, [confirming]);

  return {
    confirming,
    open: () => setConfirming(true),
    close: () => setConfirming(false),
    triggerRef,
    focusRef,
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === "Escape" && !busy) {
        event.stopPropagation();
        setConfirming(false);
      }
    },
  };
}
