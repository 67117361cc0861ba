import { createHash, randomInt } from "node:crypto";
import { z } from "zod";

/** What a person may type in a code field: an authenticator code or a recovery code. */
export type EnteredCode = { kind: "totp"; code: string } | { kind: "recovery"; code: string };

// No 0/o, 1/l/i: a recovery code is read off paper.
const RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const RECOVERY_LENGTH = 10; // 10 symbols of 31: 49 bits each
export const RECOVERY_CODE_COUNT = 10;

export const CODE_MESSAGE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";

/** Spaces and dashes are how codes are shown; they carry nothing. */
const squeeze = (raw: string) => raw.replace(/[\s-]/g, "").toLowerCase();

/** The code field of every form that asks for one: a clear message for anything else. */
export const enteredCodeSchema = z
  .string({ error: CODE_MESSAGE })
  .max(64, CODE_MESSAGE)
  .transform((raw, ctx): EnteredCode => {
    const code = squeeze(raw);
    if (code === "") {
      ctx.addIssue({ code: "custom", message: "Enter the code from your authenticator app." });
      return z.NEVER;
    }
    if (/^\d{6}$/.test(code)) return { kind: "totp", code };
    if (code.length === RECOVERY_LENGTH && [...code].every((c) => RECOVERY_ALPHABET.includes(c))) return { kind: "recovery", code };
    if (/^\d+$/.test(code)) {
      ctx.addIssue({ code: "custom", message: `Authenticator codes have 6 digits; this one has ${code.length}.` });
      return z.NEVER;
    }
    ctx.addIssue({ code: "custom", message: CODE_MESSAGE });
    return z.NEVER;
  });

/** A six-digit authenticator code only (setup confirms with two of them). */
export const totpCodeSchema = z
  .string({ error: "Enter the 6-digit code from your authenticator app." })
  .max(64, "Enter the 6-digit code from your authenticator app.")
  .transform((raw) => squeeze(raw))
  .refine((code) => /^\d{6}$/.test(code), "Enter the 6-digit code from your authenticator app.");

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from({ length: RECOVERY_LENGTH }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
    return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
  });
}

/** Recovery codes are kept as SHA-256 of their squeezed form (49 bits of entropy each, one use). */
export const recoveryCodeHash = (code: string) => createHash("sha256").update(squeeze(code)).digest("hex");
