"use client";

import { useActionState, useEffect, useRef, startTransition } from "react";
import { toastingAction } from "@/components/toast";
import { mergeCartAction } from "./actions";

// What could not be added is said in a toast: the action's answer renders the page again, without
// this component (nothing is left to merge), so a line here would vanish before it was read.
const mergeAndSay = toastingAction(mergeCartAction);

/** Pairs added before signing in live in a cookie; fold them into the account's cart once (the action's
 * answer carries the page and its header rendered again). */
export function MergeCart() {
  const [state, action] = useActionState(mergeAndSay, null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startTransition(() => action(new FormData()));
  }, [action]);
  return state?.message ? (
    <p role="status" className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      {state.message}
    </p>
  ) : (
    <p role="status" className="mb-4 text-sm text-zinc-500 dark:text-zinc-400">
      Adding the items you chose before signing in…
    </p>
  );
}
