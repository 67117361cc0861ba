import type { AuthMethod } from "@/db/schema";
import { authMethodWords } from "@/lib/catalogue/auth-method-words";

export type CartLine = {
  productId: string;
  productName: string;
  productSlug: string;
  planId: string;
  planName: string;
  authMethod: AuthMethod;
  /** The product offers this plan and is published. */
  available: boolean;
  /** The product is published (a draft's name is not revealed). */
  published?: boolean;
};

export const MAX_CART_ITEMS = 20;

/**
 * Why `candidate` cannot join a cart holding `lines`, or null if it can. The same rules run when
 * adding and again at submit (DESIGN.md §3).
 */
export function whyNotAddable(lines: readonly CartLine[], candidate: CartLine): string | null {
  if (candidate.published === false) return "This product is not available.";
  if (!candidate.available) {
    return `${candidate.productName} does not offer the ${candidate.planName} plan. Pick one of the plans listed on its page.`;
  }
  if (lines.some((l) => l.productId === candidate.productId && l.planId === candidate.planId)) {
    return `${candidate.productName} with the ${candidate.planName} plan is already in your cart.`;
  }
  const first = lines[0];
  if (!first) return null;
  if (first.planId !== candidate.planId) {
    return `Your cart uses the ${first.planName} plan, and one request uses a single plan. Choose ${first.planName} for ${candidate.productName}, or submit your cart first.`;
  }
  if (first.authMethod !== candidate.authMethod) {
    return `${candidate.productName} uses ${authMethodWords[candidate.authMethod].plural}, but the products in your cart use ${authMethodWords[first.authMethod].plural}. One request needs a single authentication method: request it separately.`;
  }
  if (lines.length >= MAX_CART_ITEMS) {
    return `A cart holds at most ${MAX_CART_ITEMS} products. Submit this request first.`;
  }
  return null;
}

/** Every problem with a whole cart, in order (empty = submittable). */
export function cartProblems(lines: readonly CartLine[]): string[] {
  if (lines.length === 0) return ["Your cart is empty. Add a product with a plan from the catalogue."];
  const problems: string[] = [];
  const accepted: CartLine[] = [];
  for (const line of lines) {
    const why = whyNotAddable(accepted, line);
    if (why) problems.push(why);
    else accepted.push(line);
  }
  return problems;
}
