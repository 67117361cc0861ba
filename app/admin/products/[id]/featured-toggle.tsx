"use client";

import { startTransition, useActionState, useOptimistic } from "react";
import { setProductFeaturedAction } from "../actions";

/** A switch: Featured on the home page, saved as soon as it is flipped. */
export function FeaturedToggle({ productId, featured, published }: { productId: string; featured: boolean; published: boolean }) {
  const [state, dispatch, pending] = useActionState(setProductFeaturedAction, null);
  const [shown, setShown] = useOptimistic(featured);
  const flip = () => {
    const data = new FormData();
    data.set("id", productId);
    if (!shown) data.set("featured", "on");
    startTransition(() => {
      setShown(!shown);
      dispatch(data);
    });
  };
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3">
        <button
          type="button"
          role="switch"
          aria-checked={shown}
          aria-describedby="featured-hint"
          disabled={pending}
          onClick={flip}
          className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 ${shown ? "bg-indigo-600" : "bg-zinc-300 dark:bg-zinc-700"}`}
        >
          <span className="sr-only">Featured on the home page</span>
          <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${shown ? "translate-x-5" : "translate-x-0.5"}`} />
        </button>
        <span className="text-sm font-medium" aria-hidden="true">
          Featured on the home page
        </span>
      </div>
      <p id="featured-hint" className="text-sm text-zinc-600 dark:text-zinc-400">
        {published ? "Featured products are the first thing visitors see on the home page." : "Shown among the featured products once it is published."}
      </p>
      <div aria-live="polite">
        {state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"}>
            {state.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}
