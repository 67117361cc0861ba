"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { removeFromCartAction } from "./actions";
import { CART_REMOVING } from "./cart-changes";
import { cartLineKey } from "./line-key";

export function RemoveFromCart({ productId, planId, productName }: { productId: string; planId: string; productName: string }) {
  const [state, action, pending] = useActionState(removeFromCartAction, null);
  const key = cartLineKey({ productId, planId });
  return (
    // The page says what was removed and where the focus goes (cart-changes.tsx): it is told which line.
    <form action={action} onSubmit={() => window.dispatchEvent(new CustomEvent(CART_REMOVING, { detail: key }))}>
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="planId" value={planId} />
      <Button type="submit" variant="ghost" size="sm" disabled={pending} data-cart-remove={key} aria-label={`${pending ? "Removing" : "Remove"} ${productName} from the cart`}>
        {pending ? "Removing…" : "Remove"}
      </Button>
      {state && !state.ok ? (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
