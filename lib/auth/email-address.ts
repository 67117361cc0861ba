import { z } from "zod";

/** The sign-in form's address check; the form, its action and Auth.js's email provider share it. */
export const emailAddressSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like ada@example.com."));

/** Thrown for an address that must never become an email's To, whoever sent it. */
export class InvalidEmailAddress extends Error {
  constructor() {
    super("Invalid email address for a sign-in link.");
    this.name = "InvalidEmailAddress";
  }
}

// What would split or extend a To header, or change which mailbox a parser picks: control
// characters (CR/LF above all), list separators, white space, quotes and angle brackets.
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\s,;"<>()[\]\\]/u;

/**
 * The address as it is stored and mailed: NFKC first (so a look-alike of "@" or "," becomes the
 * character it imitates and is judged as such), trimmed, lower case, one "@", nothing unsafe, and
 * the form's own check. Throws InvalidEmailAddress otherwise.
 */
export function normalizeEmailAddress(value: unknown): string {
  if (typeof value !== "string") throw new InvalidEmailAddress();
  const address = value.normalize("NFKC").trim().toLowerCase();
  if (UNSAFE.test(address) || address.split("@").length !== 2) throw new InvalidEmailAddress();
  if (!emailAddressSchema.safeParse(address).success) throw new InvalidEmailAddress();
  return address;
}

/**
 * The inbox an address delivers to, as the per-address limits count it: lower case, with a
 * "+tag" sub-address dropped ("Ada+x@Example.com" → "ada@example.com"), so one inbox cannot be
 * flooded through its variants.
 */
export function inboxOf(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at < 0) return lower;
  const local = lower.slice(0, at).split("+")[0] ?? "";
  return `${local}${lower.slice(at)}`;
}
