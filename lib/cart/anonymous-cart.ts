import { z } from "zod";
import { MAX_CART_ITEMS } from "./cart-rules";
import type { CartPair } from "./cart-store";

export const ANONYMOUS_CART_COOKIE = "portico_cart";

const pairsSchema = z
  .array(z.object({ productId: z.uuid(), planId: z.uuid() }))
  .max(MAX_CART_ITEMS);

/** The signed-out cart lives in a cookie; whatever is in it is untrusted and re-checked on use. */
export function parseAnonymousCart(value: string | undefined): CartPair[] {
  if (!value) return [];
  try {
    const parsed = pairsSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function serializeAnonymousCart(pairs: readonly CartPair[]) {
  return JSON.stringify(pairs.map(({ productId, planId }) => ({ productId, planId })));
}
