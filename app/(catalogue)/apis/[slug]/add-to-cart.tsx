"use client";

import { Link } from "@/components/ui/link";
import { useActionState, useRef } from "react";
import { addToCartAction } from "@/app/(consumer)/cart/actions";
import { useActionToast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { useFocusBack } from "@/components/use-focus-back";

export function AddToCart({ productId, planId, planName }: { productId: string; planId: string; planName: string }) {
  const [state, action, pending] = useActionState(addToCartAction, null);
  // The button is disabled while it adds; then it has the focus again, a toast says what was added,
  // and the line below it links to the cart.
  const button = useRef<HTMLButtonElement>(null);
  useFocusBack(button, pending);
  // The plan's button may sit at the bottom of the screen, its line below out of sight: the toast
  // says what was added wherever the reader has scrolled to (the header's cart count changes too: the
  // action's answer carries the page rendered again, app/(consumer)/cart/actions.ts).
  useActionToast(state);
  return (
    <form action={action} className="mt-4 space-y-2">
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="planId" value={planId} />
      {/* The visible words are the name (WCAG 2.5.3): voice control users say what they see. */}
      <Button ref={button} type="submit" size="sm" className="w-full" disabled={pending}>
        {pending ? "Adding…" : `Access with the ${planName} plan`}
      </Button>
      {/* Not a live region: the toast announces what was added; a refusal is an alert. */}
      <div>
        {state ? (
          state.ok ? (
            <p className="text-sm text-emerald-700 dark:text-emerald-400">
              In your cart.{" "}
              <Link href="/cart" className="font-medium underline">
                View cart
              </Link>
            </p>
          ) : (
            <p role="alert" className="text-sm text-red-600 dark:text-red-400">
              {state.message}
            </p>
          )
        ) : null}
      </div>
    </form>
  );
}
