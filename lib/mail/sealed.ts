import { hkdfSync } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";

/**
 * Links that grant something (sign-in, key claim) must reach the mailbox but must not sit readable
 * in the database. Messages keep such values encrypted (JWE, A256GCM) with a key derived from
 * AUTH_SECRET; only delivery (and the dev mailbox) opens them.
 */
const PREFIX = "sealed:";

function key() {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: sealed email content cannot be read or written.");
  return new Uint8Array(hkdfSync("sha256", secret, "portico", "portico email secrets v1", 32));
}

export async function seal(plaintext: string) {
  const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .encrypt(key());
  return PREFIX + jwe;
}

export const isSealed = (value: unknown): value is string => typeof value === "string" && value.startsWith(PREFIX);

/** Opens a sealed value; anything else comes back unchanged. */
export async function unseal<T>(value: T): Promise<T | string> {
  if (!isSealed(value)) return value;
  const { plaintext } = await compactDecrypt(value.slice(PREFIX.length), key());
  return new TextDecoder().decode(plaintext);
}
