import { createHash, hash } from "node:crypto";
import { crc32 } from "node:zlib";
import { customAlphabet } from "nanoid";

/**
 * API keys look like GitHub's tokens: `<prefix>_<43 random base62 chars><6-char base62 CRC32>`.
 * 43 base62 characters carry 256 bits. The checksum lets the verify endpoint throw away typos and
 * garbage without touching the database, and lets secret scanners recognise a Portico key.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const randomBody = customAlphabet(BASE62, RANDOM_LENGTH);

/** Longest a key can be with the longest allowed prefix; anything longer is refused unread. */
export const MAX_KEY_LENGTH = 10 + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH;

const KEY_PATTERN = new RegExp(
  `^([a-z][a-z0-9]{1,9})_([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

function checksum(body: string) {
  let n = crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function generateKey(prefix: string) {
  const body = randomBody();
  return `${prefix}_${body}${checksum(body)}`;
}

/** True only for a well-formed key with this prefix and a matching checksum. Never throws. */
export function isWellFormedKey(key: unknown, prefix: string): key is string {
  if (typeof key !== "string" || key.length > MAX_KEY_LENGTH) return false;
  const m = KEY_PATTERN.exec(key);
  return m !== null && m[1] === prefix && m[2] !== undefined && checksum(m[2]) === m[3];
}

/** What is stored instead of the key. crypto.hash (Node ≥ 20.12) is the one-shot form: verify hashes on every call. */
export function hashSecret(secret: string) {
  return typeof hash === "function" ? hash("sha256", secret, "hex") : createHash("sha256").update(secret).digest("hex");
}

/** What the UI shows to tell keys apart: the prefix and four characters. */
export function keyStart(key: string) {
  return key.slice(0, key.indexOf("_") + 5);
}
