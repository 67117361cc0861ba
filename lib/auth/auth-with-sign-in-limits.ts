import { Auth, type AuthConfig } from "@auth/core";
import type { Provider } from "@auth/core/providers";
import type { Database } from "@/db/connect";
import { clientIp } from "@/lib/net/client-ip";
import { normalizeEmailAddress } from "./email-address";
import { type SignInLimits, signInLimitReached } from "./sign-in-limits";

type Settings = { db: Database; limits: SignInLimits; trustedProxies: number };

/**
 * Auth.js for /api/auth/*, with the sign-in limits applied before it runs. Auth.js writes a
 * verification token in parallel with sendVerificationRequest (@auth/core
 * lib/actions/signin/send-token.js), so a request the limits refuse there still stored one: an
 * anonymous client could grow verification_tokens without bound. A request already over the
 * limits runs through Auth.js with a provider that sends nothing and an adapter that stores no
 * token, so the CSRF check, cookies and redirect to the check-email page are Auth.js's own, and
 * the answer is the same as for a link sent. The locked check in sendSignInLink stays the
 * authority for requests that pass here together.
 */
export async function authWithSignInLimits(
  request: Request,
  config: AuthConfig,
  settings: Settings,
): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "POST" || url.pathname !== `${config.basePath}/signin/email`) {
    return Auth(request, config);
  }
  // The body is read here once and handed on to Auth.js byte for byte.
  const body = await request.arrayBuffer();
  const forward = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
  });
  const address = emailOf(request.headers.get("content-type"), body);
  // An address Auth.js will refuse (normalizeIdentifier) goes on to be refused there.
  if (address === null) return Auth(forward, config);
  const ip = clientIp(request.headers, settings.trustedProxies);
  if (!(await signInLimitReached(settings.db, { address, ip }, settings.limits))) {
    return Auth(forward, config);
  }
  console.info("sign-in link not sent: limited");
  return Auth(forward, withoutLink(config));
}

function emailOf(contentType: string | null, body: ArrayBuffer): string | null {
  const text = new TextDecoder().decode(body);
  let email: unknown;
  try {
    // The two body types Auth.js reads (@auth/core lib/utils/web.js getBody).
    if (contentType?.includes("application/json"))
      email = (JSON.parse(text) as { email?: unknown } | null)?.email;
    else if (contentType?.includes("application/x-www-form-urlencoded"))
      email = new URLSearchParams(text).get("email");
    return normalizeEmailAddress(email);
  } catch {
    return null;
  }
}

/** The same configuration, with an email provider that sends nothing and an adapter that stores no token. */
function withoutLink(config: AuthConfig): AuthConfig {
  const silent = (provider: Provider): Provider =>
    typeof provider === "object" && provider.type === "email"
      ? { ...provider, sendVerificationRequest: () => undefined }
      : provider;
  return {
    ...config,
    adapter: config.adapter && {
      ...config.adapter,
      createVerificationToken: (token) => token,
    },
    providers: config.providers.map(silent),
  };
}
