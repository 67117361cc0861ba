"use client";

import { type RefObject, useEffect, useRef } from "react";

/**
 * A button disabled while its action runs drops the keyboard focus: the browser moves it to <body>,
 * and a keyboard or screen-reader user starts again from the top of the page. Once the action is
 * done, focus goes back to `ref` (the button, re-enabled), unless the person has put it somewhere
 * else meanwhile. Nothing happens on the first render, or while the action never ran.
 */
export function useFocusBack<T extends HTMLElement>(ref: RefObject<T | null>, pending: boolean) {
  const ran = useRef(false);
  useEffect(() => {
    if (pending) {
      ran.current = true;
      return;
    }
    if (!ran.current) return;
    ran.current = false;
    if (focusWasDropped()) ref.current?.focus();
  }, [pending, ref]);
}

/** Focus is nowhere in particular: on <body>, or on nothing at all. */
export function focusWasDropped() {
  const active = document.activeElement;
  return active === null || active === document.body;
}

/**
 * Runs `then` after a render in which `value` differs from the render before (never after the first):
 * where a state change took away the control that had the focus, `then` puts it somewhere.
 */
export function useAfterChange(value: string, then: () => void) {
  const last = useRef(value);
  useEffect(() => {
    if (last.current === value) return;
    last.current = value;
    then();
  }, [value, then]);
}
