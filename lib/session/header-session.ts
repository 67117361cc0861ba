import "server-only";
import { headers } from "next/headers";
import type { UserRole } from "@/db/schema";
import { databaseUnavailableIn } from "@/db/unavailable";
import { currentUser } from "@/lib/auth/guards";
import { anonymousPairs, currentCart } from "@/lib/cart/session-cart";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";

export type SessionState = {
  user: { name: string | null; email: string; role: UserRole } | null;
  cartCount: number;
  devMailbox: boolean;
  /** Who is signed in could not be looked up (the database away): never shown as signed out. */
  unavailable?: boolean;
  /** Signed in with items still in the signed-out cart cookie: GET /api/session merges them (it may set cookies). */
  mergePending?: boolean;
  /** What that merge could not add, to be said once (GET /api/session's answer only). */
  cartNotice?: string;
};

/**
 * What the header shows, read while the root layout renders, so it arrives in the HTML: no
 * skeleton, no links popping in, no /api/session request on load. A database that does not answer
 * is not "signed out": the header says so and asks /api/session again until it answers.
 */
export async function headerSession(): Promise<SessionState> {
  const devMailbox = devMailboxAnswers(await headers());
  try {
    const user = await currentUser();
    const cartCount = (await currentCart(user)).length;
    return {
      user: user ? { name: user.name, email: user.email, role: user.role } : null,
      cartCount,
      devMailbox,
      mergePending: user ? (await anonymousPairs()).length > 0 : false,
    };
  } catch (error) {
    if (!databaseUnavailableIn(error)) throw error;
    return { user: null, cartCount: 0, devMailbox, unavailable: true };
  }
}
