import { NextResponse } from "next/server";
import type { UserRole } from "@/db/schema";
import { currentUser } from "@/lib/auth/guards";
import { currentCart, mergeAnonymousCart } from "@/lib/cart/session-cart";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";

export type SessionState = {
  user: { name: string | null; email: string; role: UserRole } | null;
  cartCount: number;
  devMailbox: boolean;
};

/**
 * Who is signed in and how full their cart is, for the header. Anonymous is a normal answer here,
 * not a 401. A signed-in visitor's signed-out cart is merged into their account cart on the way.
 */
export async function GET(request: Request) {
  const user = await currentUser();
  if (user) await mergeAnonymousCart(user);
  const body: SessionState = {
    user: user ? { name: user.name, email: user.email, role: user.role } : null,
    cartCount: (await currentCart(user)).length,
    devMailbox: devMailboxAnswers(request.headers),
  };
  return NextResponse.json(body, { headers: { "Cache-Control": "private, no-store" } });
}
