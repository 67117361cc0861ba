"use client";

import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";

/**
 * A confirmation step shown in place (instead of a modal): opening moves focus into the step
 * (`focusRef`, usually the safe choice or the first field), and closing by Cancel or Escape puts
 * focus back on the button that opened it (`triggerRef`). Spread `onKeyDown` on the step's element.
 * `stepBack()` closes it and leaves focus where the caller puts it (e.g. a field the server refused).
 */
export function useConfirmStep<F extends HTMLElement = HTMLButtonElement>({ busy = false }: { busy?: boolean } = {}) {
  const [confirming, setConfirming] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const focusRef = useRef<F>(null);
  const wasOpen = useRef(false);
  const focusBack = useRef(true);

  useEffect(() => {
    if (confirming) focusRef.current?.focus();
    else if (wasOpen.current && focusBack.current) triggerRef.current?.focus();
    wasOpen.current = confirming;
    focusBack.current = true;
  }, [confirming]);

  const stepBack = useCallback(() => {
    focusBack.current = false;
    setConfirming(false);
  }, []);

  return {
    confirming,
    open: () => setConfirming(true),
    close: () => setConfirming(false),
    stepBack,
    triggerRef,
    focusRef,
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === "Escape" && !busy) {
        // Both: the step's Escape is spent here. The request panel (panel-sheet.tsx) listens on the
        // document, where React's own listener is too, so only a prevented default keeps it open.
        event.preventDefault();
        event.stopPropagation();
        setConfirming(false);
      }
    },
  };
}
