import { eq } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { users } from "@/db/schema";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { normalizeEmailAddress } from "./email-address";
import { type SignInLimits, takeSignInSlot } from "./sign-in-limits";
import { SIGN_IN_LINK_MINUTES } from "./links";

export type SignInLinkOutcome = "sent" | "limited" | "disabled";

/**
 * Emails a sign-in link unless a limit is reached or the address belongs to a disabled account.
 * Every address takes a slot the same way, known, unknown or disabled, and the caller answers all
 * of them alike, so neither the page nor the limits tell which addresses have accounts. The slot
 * and the email commit together. An address the sign-in form would refuse throws
 * InvalidEmailAddress before anything is written: whoever calls, it never becomes an email's To.
 */
export async function sendSignInLink(
  db: Database,
  input: {
    address: string;
    url: string;
    ip: string | null;
    /** When the link's token expires (Auth.js's `expires`): the email is not sent after it. */
    expires?: Date;
  },
  settings: { limits: SignInLimits; host: string },
): Promise<SignInLinkOutcome> {
  const address = normalizeEmailAddress(input.address);
  return db.transaction(async (tx) => {
    const slot = await takeSignInSlot(tx, { address, ip: input.ip }, settings.limits);
    if (!slot.ok) return "limited";
    const [account] = await tx
      .select({ disabledAt: users.disabledAt, kind: users.kind })
      .from(users)
      .where(eq(users.email, address));
    // an API access key's service user never signs in (answered like a disabled account)
    if (account?.disabledAt || account?.kind === "service") return "disabled";
    await enqueueEmail(tx, {
      to: address,
      template: "sign-in",
      props: { url: input.url, host: settings.host, expiresInMinutes: SIGN_IN_LINK_MINUTES },
      // its useful life is the link's, counted from the token's creation, not from this insert
      usefulUntil: input.expires,
    });
    return "sent";
  });
}
