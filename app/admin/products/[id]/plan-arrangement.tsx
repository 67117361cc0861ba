"use client";

import { startTransition, useActionState, useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { useActionToast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import type { OfferedPlan } from "@/lib/products/get-product";
import { arrangeProductPlansAction } from "../actions";

/**
 * The order of the product's plans on its page, and the one marked Recommended. Moves are local
 * until Save, so a reorder is one audited change rather than one per click; focus follows the moved plan.
 */
export function PlanArrangement({ productId, offers }: { productId: string; offers: OfferedPlan[] }) {
  const [state, dispatch, pending] = useActionState(arrangeProductPlansAction, null);
  useActionToast(state);
  const [order, setOrder] = useState(offers);
  const [recommended, setRecommended] = useState(offers.find((o) => o.recommended)?.id ?? "");
  // A save re-renders the page with the saved arrangement: take it, but keep the action's answer
  // ("Plans saved. …") on screen, which remounting this form (a key on the saved order) would drop.
  const savedArrangement = offers.map((o) => `${o.id}${o.recommended ? "*" : ""}`).join();
  const [shown, setShown] = useState(savedArrangement);
  if (shown !== savedArrangement) {
    setShown(savedArrangement);
    setOrder(offers);
    setRecommended(offers.find((o) => o.recommended)?.id ?? "");
  }
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());
  const saved = offers.map((o) => o.id).join() === order.map((o) => o.id).join() && (offers.find((o) => o.recommended)?.id ?? "") === recommended;

  const move = (index: number, by: -1 | 1, key: string) => {
    const next = [...order];
    const [item] = next.splice(index, 1);
    if (!item) return;
    next.splice(index + by, 0, item);
    setOrder(next);
    // The moved plan's same button keeps focus, unless it is now at the end where that button is disabled.
    requestAnimationFrame(() => {
      const target = buttons.current.get(`${item.id}:${key}`);
      (target && !target.disabled ? target : buttons.current.get(`${item.id}:${key === "up" ? "down" : "up"}`))?.focus();
    });
  };

  if (offers.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">This product offers no plans yet. Choose plans in the form below and save, then arrange them here.</p>;
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(() => dispatch(data));
      }}
      className="space-y-3"
    >
      <input type="hidden" name="id" value={productId} />
      <ol className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Plan order">
        {order.map((plan, i) => (
          <li key={plan.id} className="flex flex-wrap items-center gap-3 p-3" data-testid="arranged-plan">
            <input type="hidden" name="planIds" value={plan.id} />
            <span className="w-6 text-sm tabular-nums text-zinc-500 dark:text-zinc-400" aria-hidden="true">
              {i + 1}.
            </span>
            <span className="min-w-0 flex-1 font-medium">
              {plan.name} {recommended === plan.id ? <Badge tone="indigo">Recommended</Badge> : null}
            </span>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="recommendedPlanId" value={plan.id} checked={recommended === plan.id} onChange={() => setRecommended(plan.id)} />
              Recommend <span className="sr-only">{plan.name}</span>
            </label>
            <span className="flex gap-1">
              <Button
                type="button"
                variant="secondary"
                size="sm"
                disabled={i === 0}
                aria-label={`Move ${plan.name} up`}
                ref={(el) => {
                  buttons.current.set(`${plan.id}:up`, el);
                }}
                onClick={() => move(i, -1, "up")}
              >
                ↑
              </Button>
              <Button
                type="button"
                variant="secondary"
                size="sm"
                disabled={i === order.length - 1}
                aria-label={`Move ${plan.name} down`}
                ref={(el) => {
                  buttons.current.set(`${plan.id}:down`, el);
                }}
                onClick={() => move(i, 1, "down")}
              >
                ↓
              </Button>
            </span>
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save plan order"}
        </Button>
        {recommended ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => setRecommended("")}>
            Recommend none
          </Button>
        ) : (
          <input type="hidden" name="recommendedPlanId" value="" />
        )}
        {!saved ? <span className="text-sm text-zinc-600 dark:text-zinc-400">Unsaved changes.</span> : null}
      </div>
      <div aria-live="polite">
        {state && !state.ok && state.message ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
