import { NextResponse } from "next/server";
import { databaseUnavailableIn } from "@/db/unavailable";
import { currentUser } from "@/lib/auth/guards";
import { notAddedMessage } from "@/lib/cart/cart-store";
import { currentCart, mergeAnonymousCart } from "@/lib/cart/session-cart";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";
import type { SessionState } from "@/lib/session/header-session";

/**
 * Who is signed in and how full their cart is. The header gets this from the root layout
 * (lib/session/header-session.ts); it asks here only while the database is away, or to merge a
 * signed-out cart after signing in. Anonymous is a normal answer here,
 * not a 401. A signed-in visitor's signed-out cart is merged into their account cart on the way.
 */
export async function GET(request: Request) {
  try {
    return await sessionState(request);
  } catch (error) {
    if (!databaseUnavailableIn(error)) throw error;
    return NextResponse.json(
      { error: { code: "unavailable", message: "The portal cannot look up your session right now. Try again in a moment." } },
      { status: 503, headers: { "Cache-Control": "private, no-store", "Retry-After": "2" } },
    );
  }
}

async function sessionState(request: Request) {
  const user = await currentUser();
  const merged = user ? await mergeAnonymousCart(user) : null;
  const cartNotice = notAddedMessage(merged?.skipped ?? []);
  const body: SessionState = {
    user: user ? { name: user.name, email: user.email, role: user.role } : null,
    cartCount: (await currentCart(user)).length,
    devMailbox: devMailboxAnswers(request.headers),
    ...(cartNotice ? { cartNotice } : {}),
  };
  return NextResponse.json(body, { headers: { "Cache-Control": "private, no-store" } });
}
