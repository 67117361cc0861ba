"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False in the server's HTML and until React has hydrated this component, then true. A form whose
 * action is a client function does nothing before hydration, so its buttons wait for this instead of
 * swallowing a click on a slow device.
 */
export function useHydrated() {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
