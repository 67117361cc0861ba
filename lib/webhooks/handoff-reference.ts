import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { Queryable } from "@/db/connect";
import { SIGNING_ALG, currentSigningKey, verifierFor } from "@/lib/api-access/signing-keys";

/**
 * The signed reference a redirecting plan hands the consumer's browser to the third party (Tyk's
 * "Redirect Key Request"): `<plan's redirect URL>?portico_reference=<this>&portico_request=<id>`.
 * The third party exchanges it through the REST API (POST /handoff-references/verify) for the
 * request, then approves or cancels that request.
 *
 * It is a JWT signed with the portal's ES256 keys (lib/api-access/signing-keys.ts), like API
 * access tokens, but with its own `typ` and audience, so neither can ever pass for the other (an
 * access token's audience is `<issuer>/api/v1` and checkToken also needs its jti in the database).
 * It names the request, its app and its plan, and carries no secret: it only proves that the portal
 * sent this consumer for this request, until it expires.
 */
export const REFERENCE_TYPE = "portico-handoff+jwt";
/** 24 hours: long enough to finish a checkout, short enough that a leaked link goes stale. A fresh one is a click away on the request's page. */
export const REFERENCE_LIFETIME_SECONDS = 24 * 60 * 60;
export const referenceAudience = (issuer: string) => `${issuer}/handoff`;

export type HandoffReference = { requestId: string; appId: string; planId: string; expiresAt: Date };

export async function mintHandoffReference(
  db: Queryable,
  input: { requestId: string; appId: string; planId: string; issuer: string; now?: Date },
) {
  const { kid, key } = await currentSigningKey(db);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ app: input.appId, plan: input.planId })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: REFERENCE_TYPE })
    .setSubject(input.requestId)
    .setIssuer(input.issuer)
    .setAudience(referenceAudience(input.issuer))
    .setIssuedAt(iat)
    .setExpirationTime(iat + REFERENCE_LIFETIME_SECONDS)
    .sign(key);
}

export type ReferenceCheck = { ok: true; reference: HandoffReference } | { ok: false; reason: "malformed" | "expired" | "invalid" };

const ID = /^[\w-]{1,100}$/;

/**
 * Checks a reference: signed by an unretired portal key, this portal's issuer, the hand-off audience
 * and type, not expired. "expired" is only said of a reference whose signature checked out.
 */
export async function verifyHandoffReference(db: Queryable, token: string, opts: { issuer: string; now?: Date }): Promise<ReferenceCheck> {
  if (token.length > 4096 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: "malformed" };
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof kid !== "string" || !ID.test(kid)) return { ok: false, reason: "invalid" };
  const verifier = await verifierFor(db, kid);
  if (!verifier) return { ok: false, reason: "invalid" };
  try {
    const { payload } = await jwtVerify(token, verifier.key, {
      algorithms: [SIGNING_ALG],
      typ: REFERENCE_TYPE,
      issuer: opts.issuer,
      audience: referenceAudience(opts.issuer),
      currentDate: opts.now,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const { sub, app, plan, exp } = payload;
    if (typeof sub !== "string" || typeof app !== "string" || typeof plan !== "string" || typeof exp !== "number") return { ok: false, reason: "invalid" };
    if (![sub, app, plan].every((id) => ID.test(id))) return { ok: false, reason: "invalid" };
    return { ok: true, reference: { requestId: sub, appId: app, planId: plan, expiresAt: new Date(exp * 1000) } };
  } catch (e) {
    // jose checks the signature before the claims: an expired reference is a genuine one
    if (e instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}

/** The URL the consumer is sent to: the plan's URL, its own query kept, with the reference and the request's id added. */
export function handoffUrl(redirectUrl: string, reference: string, requestId: string) {
  const url = new URL(redirectUrl);
  url.searchParams.set("portico_reference", reference);
  url.searchParams.set("portico_request", requestId);
  return url.toString();
}
