"use client";

import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";

/**
 * A confirmation step shown in place (instead of a modal): opening moves focus into the step
 * (`focusRef`, usually the safe choice or the first field) and then brings the whole step into view
 * (`stepRef`, on the step's own element), and closing by Cancel or Escape puts focus back on the
 * button that opened it (`triggerRef`). Spread `onKeyDown` on the step's element.
 * `stepBack()` closes it and leaves focus where the caller puts it (e.g. a field the server refused).
 */
export function useConfirmStep<F extends HTMLElement = HTMLButtonElement>({ busy = false }: { busy?: boolean } = {}) {
  const [confirming, setConfirming] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const focusRef = useRef<F>(null);
  const stepElement = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  const focusBack = useRef(true);

  useEffect(() => {
    if (confirming) {
      focusRef.current?.focus();
      // Focus scrolls only the focused control into view: on a phone a step opened low on the page
      // kept its other lines, or its last padding, under the fold. "nearest" moves the page no more
      // than that (not at all when the step is already in view); a plain jump, so no motion to reduce.
      stepElement.current?.scrollIntoView({ block: "nearest" });
    } else if (wasOpen.current && focusBack.current) triggerRef.current?.focus();
    wasOpen.current = confirming;
    focusBack.current = true;
  }, [confirming]);

  const stepBack = useCallback(() => {
    focusBack.current = false;
    setConfirming(false);
  }, []);

  // A callback ref, so the step can be any element (a form, a div) without a type argument for it.
  const stepRef = useCallback((element: HTMLElement | null) => {
    stepElement.current = element;
  }, []);

  return {
    confirming,
    open: () => setConfirming(true),
    close: () => setConfirming(false),
    stepBack,
    triggerRef,
    focusRef,
    stepRef,
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
