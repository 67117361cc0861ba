import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKey } from "./key-format";
import { INVALID_KEY_MESSAGE, type KeyRow, keyFromHeaders, verifyKey } from "./verify-key";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const base62 = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...BASE62.split("")), minLength: min, maxLength: max });

/** Malformed keys of every kind the issue names. None may reach the database. */
const malformed = fc.oneof(
  base62(0, 80).map((s) => `abc_${s}`), // wrong prefix
  fc
    .tuple(fc.constant(generateKey("ptk")), base62(6, 6))
    .filter(([key, checksum]) => !key.endsWith(checksum))
    .map(([key, checksum]) => key.slice(0, -6) + checksum), // bad checksum
  base62(0, 48).map((s) => `ptk_${s}`), // too short
  base62(50, 400).map((s) => `ptk_${s}`), // too long
  fc.string({ maxLength: 60 }).map((s) => `ptk_${s}`), // not base62
  fc.constant(""),
  fc.string({ unit: "binary", minLength: 1000, maxLength: 20_000 }), // huge
  fc.string({ maxLength: 120 }),
);

describe("verify refuses malformed keys before any lookup", () => {
  it("10,000 generated keys: 401, never a lookup, never a throw", async () => {
    let lookups = 0;
    const lookup = async (): Promise<KeyRow[]> => {
      lookups++;
      return [];
    };
    const realKey = generateKey("ptk");
    await fc.assert(
      fc.asyncProperty(malformed, fc.option(fc.string({ maxLength: 40 })), async (key, product) => {
        fc.pre(key !== realKey);
        const result = await verifyKey({ key, product }, lookup, { prefix: "ptk" });
        expect(result.status).toBe(401);
        // Malformed keys get the same body as unknown, expired and revoked ones (lib/keys/keys.test.ts).
        expect(result.body).toEqual({ valid: false, error: INVALID_KEY_MESSAGE });
      }),
      { numRuns: 10_000 },
    );
    expect(lookups).toBe(0);
  });

  it("reads the key from Bearer, X-API-Key or nothing, whatever the header holds", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 9000 }), fc.string({ maxLength: 9000 }), (a, b) => {
        const clean = (s: string) => s.replace(/[^\t\x20-\x7e]/g, "").trim();
        const headers = new Headers();
        if (clean(a)) headers.set("authorization", clean(a));
        if (clean(b)) headers.set("x-api-key", clean(b));
        const key = keyFromHeaders(headers);
        expect(key === null || typeof key === "string").toBe(true);
        if (key) expect(key.length).toBeLessThanOrEqual(9000);
      }),
      { numRuns: 2000 },
    );
    const key = generateKey("ptk");
    expect(keyFromHeaders(new Headers({ authorization: `Bearer ${key}` }))).toBe(key);
    expect(keyFromHeaders(new Headers({ authorization: `bearer   ${key}  ` }))).toBe(key);
    expect(keyFromHeaders(new Headers({ "x-api-key": key }))).toBe(key);
    expect(keyFromHeaders(new Headers())).toBeNull();
  });

  it("a well-formed key is looked up once", async () => {
    let lookups = 0;
    const result = await verifyKey({ key: generateKey("ptk"), product: "payments" }, async () => (lookups++, []), { prefix: "ptk" });
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ valid: false, error: INVALID_KEY_MESSAGE });
    expect(lookups).toBe(1);
  });
});
