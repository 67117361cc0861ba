import { eq } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { users } from "@/db/schema";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { type SignInLimits, takeSignInSlot } from "./sign-in-limits";
import { SIGN_IN_LINK_MINUTES } from "./links";

export type SignInLinkOutcome = "sent" | "limited" | "disabled";

/**
 * Emails a sign-in link unless a limit is reached or the address belongs to a disabled account.
 * Every address takes a slot the same way, known, unknown or disabled, and the caller answers all
 * of them alike, so neither the page nor the limits tell which addresses have accounts. The slot
 * and the email commit together.
 */
export async function sendSignInLink(
  db: Database,
  input: { address: string; url: string; ip: string | null },
  settings: { limits: SignInLimits; host: string },
): Promise<SignInLinkOutcome> {
  return db.transaction(async (tx) => {
    const slot = await takeSignInSlot(tx, input, settings.limits);
    if (!slot.ok) return "limited";
    const [account] = await tx
      .select({ disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.email, input.address.toLowerCase()));
    if (account?.disabledAt) return "disabled";
    await enqueueEmail(tx, {
      to: input.address,
      template: "sign-in",
      props: { url: input.url, host: settings.host, expiresInMinutes: SIGN_IN_LINK_MINUTES },
    });
    return "sent";
  });
}
