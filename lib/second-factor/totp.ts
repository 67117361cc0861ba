import { Secret, TOTP } from "otpauth";

/**
 * RFC 6238 through the `otpauth` library (SHA-1, 6 digits, 30-second steps, one step either side):
 * the algorithm is never written here, only the step arithmetic replay refusal needs.
 */
export const PERIOD_SECONDS = 30;
export const WINDOW_STEPS = 1;

const totpFor = (secret: string, label = "Portico") =>
  new TOTP({ issuer: "Portico", label, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });

/** A new base32 secret (160 bits, as RFC 4226 recommends). */
export const newTotpSecret = () => new Secret({ size: 20 }).base32;

/** The `otpauth://totp/...` URI authenticator apps read from the QR code. */
export const otpauthUri = (secret: string, account: string) => totpFor(secret, account).toString();

export const stepAt = (now: Date) => Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);

/** The step `code` belongs to within ±1 of `now`, or null when it matches none. */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  const delta = totpFor(secret).validate({ token: code, timestamp: now.getTime(), window: WINDOW_STEPS });
  return delta === null ? null : stepAt(now) + delta;
}

/** The code for a moment (tests and the e2e compute codes from the secret shown on the page). */
export const codeAt = (secret: string, at: Date) => totpFor(secret).generate({ timestamp: at.getTime() });
