import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "@/db/connect";
import { cartItems, plans, productPlans, products } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { type CartLine, whyNotAddable } from "./cart-rules";

export type CartPair = { productId: string; planId: string };

/** Product and plan details for each pair (pairs whose product or plan no longer exists are dropped). */
export async function resolveLines(db: Queryable, pairs: readonly CartPair[]): Promise<CartLine[]> {
  if (pairs.length === 0) return [];
  const productIds = [...new Set(pairs.map((p) => p.productId))];
  const planIds = [...new Set(pairs.map((p) => p.planId))];
  const [productRows, planRows, offers] = await Promise.all([
    db.select().from(products).where(inArray(products.id, productIds)),
    db.select({ id: plans.id, name: plans.name }).from(plans).where(inArray(plans.id, planIds)),
    db.select().from(productPlans).where(inArray(productPlans.productId, productIds)),
  ]);
  const lines: CartLine[] = [];
  for (const pair of pairs) {
    const product = productRows.find((p) => p.id === pair.productId);
    const plan = planRows.find((p) => p.id === pair.planId);
    if (!product || !plan) continue;
    const offered = offers.some((o) => o.productId === pair.productId && o.planId === pair.planId);
    lines.push({
      productId: product.id,
      productName: product.name,
      productSlug: product.slug,
      planId: plan.id,
      planName: plan.name,
      authMethod: product.authMethod,
      available: offered && product.status === "published",
      published: product.status === "published",
    });
  }
  return lines;
}

export async function loadCart(db: Queryable, userId: string): Promise<CartLine[]> {
  const rows = await db
    .select({ productId: cartItems.productId, planId: cartItems.planId })
    .from(cartItems)
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.createdAt));
  return resolveLines(db, rows);
}

/** Serialises cart changes per user, so two tabs cannot together break the one-plan rule. */
async function lockCart(tx: Tx, userId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cart:${userId}`}))`);
}

/** Adds a pair to a signed-in user's cart, or throws a DomainError saying why it cannot. */
export async function addToCart(db: Queryable, userId: string, pair: CartPair): Promise<CartLine> {
  return db.transaction(async (tx) => {
    await lockCart(tx, userId);
    const [candidate] = await resolveLines(tx, [pair]);
    if (!candidate) throw new DomainError("not_found", "That product or plan no longer exists.");
    const why = whyNotAddable(await loadCart(tx, userId), candidate);
    if (why) throw new DomainError("conflict", why);
    await tx.insert(cartItems).values({ userId, ...pair }).onConflictDoNothing();
    return candidate;
  });
}

/** Adds a pair to an anonymous cart (kept in a cookie by the caller). Same rules as addToCart. */
export async function addToAnonymousCart(db: Queryable, pairs: readonly CartPair[], pair: CartPair) {
  const [candidate] = await resolveLines(db, [pair]);
  if (!candidate) throw new DomainError("not_found", "That product or plan no longer exists.");
  const why = whyNotAddable(await resolveLines(db, pairs), candidate);
  if (why) throw new DomainError("conflict", why);
  return { line: candidate, pairs: [...pairs, pair] };
}

export async function removeFromCart(db: Queryable, userId: string, pair: CartPair) {
  await db
    .delete(cartItems)
    .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, pair.productId), eq(cartItems.planId, pair.planId)));
}

export async function clearCart(tx: Queryable, userId: string) {
  await tx.delete(cartItems).where(eq(cartItems.userId, userId));
}

/**
 * Moves pairs added while signed out into the user's cart. Pairs that break a rule against what is
 * already there are skipped and reported.
 */
export async function mergeIntoCart(db: Queryable, userId: string, pairs: readonly CartPair[]) {
  const skipped: string[] = [];
  for (const pair of pairs) {
    try {
      await addToCart(db, userId, pair);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (!/already in your cart/.test(error.message)) skipped.push(error.message);
    }
  }
  return { skipped };
}

/** What a merge could not add, said to the person (a toast after signing in, on the cart page or in the header). */
export function notAddedMessage(skipped: readonly string[]) {
  return skipped.length ? `Some items were not added: ${skipped.join(" ")}` : undefined;
}
