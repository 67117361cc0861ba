import "server-only";
import { cookies } from "next/headers";
import { db } from "@/db/client";
import type { SessionUser } from "@/lib/auth/guards";
import { ANONYMOUS_CART_COOKIE, parseAnonymousCart, serializeAnonymousCart } from "./anonymous-cart";
import type { CartLine } from "./cart-rules";
import { type CartPair, loadCart, mergeIntoCart, resolveLines } from "./cart-store";

const cookieOptions = { httpOnly: true, sameSite: "lax" as const, path: "/", maxAge: 30 * 24 * 3600 };

export async function anonymousPairs(): Promise<CartPair[]> {
  return parseAnonymousCart((await cookies()).get(ANONYMOUS_CART_COOKIE)?.value);
}

/** Only from server actions and route handlers (they may set cookies). */
export async function saveAnonymousPairs(pairs: readonly CartPair[]) {
  const jar = await cookies();
  if (pairs.length === 0) jar.delete(ANONYMOUS_CART_COOKIE);
  else jar.set(ANONYMOUS_CART_COOKIE, serializeAnonymousCart(pairs), cookieOptions);
}

/** The cart of whoever is asking: the database cart when signed in, the cookie cart otherwise. */
export async function currentCart(user: SessionUser | null): Promise<CartLine[]> {
  return user ? loadCart(db, user.id) : resolveLines(db, await anonymousPairs());
}

/**
 * Moves pairs added while signed out into the signed-in user's cart, then drops the cookie.
 * Only from server actions and route handlers.
 */
export async function mergeAnonymousCart(user: SessionUser) {
  const pairs = await anonymousPairs();
  if (pairs.length === 0) return { skipped: [] as string[] };
  const result = await mergeIntoCart(db, user.id, pairs);
  await saveAnonymousPairs([]);
  return result;
}
