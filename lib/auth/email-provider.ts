import type { EmailConfig } from "@auth/core/providers/email";
import type { Database } from "@/db/connect";
import { clientIp } from "@/lib/net/client-ip";
import { normalizeEmailAddress } from "./email-address";
import { SIGN_IN_LINK_MINUTES, rebaseLink } from "./links";
import { sendSignInLink } from "./send-sign-in-link";
import type { SignInLimits } from "./sign-in-limits";

export type EmailSignInSettings = {
  from: string;
  /** AUTH_URL: links in the email point here, whatever host the request came in on. */
  baseUrl: string;
  limits: SignInLimits;
  trustedProxies: number;
};

/**
 * Auth.js's email (magic link) provider. Its configuration lives here, apart from next-auth, so
 * tests drive it through Auth.js core exactly as the app does.
 */
export function emailProvider(db: Database, settings: EmailSignInSettings): EmailConfig {
  return {
    id: "email",
    type: "email",
    name: "Email",
    from: settings.from,
    maxAge: SIGN_IN_LINK_MINUTES * 60,
    // Auth.js's default keeps CR/LF in the domain and a comma in the local part: a direct POST to
    // /api/auth/signin/email would reach an email's To. Throwing here stops the request before
    // anything is stored or queued (Auth.js answers with its error page).
    normalizeIdentifier: normalizeEmailAddress,
    // Auth.js stores only a hash of the token; the link goes through the job queue like every
    // email. This runs for the sign-in form's action and for a direct POST alike, so the limits
    // hold for both. Whatever happens, the visitor is told to check their email.
    async sendVerificationRequest({ identifier, url, expires, request }) {
      const outcome = await sendSignInLink(
        db,
        {
          address: identifier,
          url: rebaseLink(url, settings.baseUrl),
          ip: clientIp(request.headers, settings.trustedProxies),
          expires,
        },
        { limits: settings.limits, host: new URL(settings.baseUrl).host },
      );
      if (outcome !== "sent") console.info(`sign-in link not sent: ${outcome}`);
    },
  };
}
