import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerReader, webHeaders } from "@/lib/net/node-headers";
import { generateKey, hashSecret } from "./key-format";
import { verifyHttp } from "./verify-http";
import { INVALID_KEY_MESSAGE, type KeyRow, keyFromHeaders, productSlug, verifyKey } from "./verify-key";

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

  // The hot path's shortcuts (issue 17 bench) must answer exactly as the full parsers did.
  it("the hot path reads key, product and hash exactly as the full parsers do", async () => {
    const key = generateKey("ptk");
    const row: KeyRow = {
      id: "k",
      request_id: "r",
      app_id: "a",
      app_name: "App",
      app_deleted: false,
      valid_from: 0,
      expires_at: null,
      ends_at: null,
      plan_name: "Free",
      rate_limit: null,
      quota: null,
      enforce: true,
      products: ["payments"],
    };
    const expected = (product: string | null) =>
      product === null || product === "" ? 200 : !productSlug.safeParse(product).success ? 400 : product === "payments" ? 200 : 403;
    const target = fc.oneof(
      fc.string({ maxLength: 60 }).map((s) => `/api/v1/keys/verify?product=${s}`),
      fc.string({ maxLength: 60 }).map((s) => `/api/v1/keys/verify?${s}`),
      fc.string({ unit: "binary-ascii", maxLength: 40 }).map((s) => `${s}/v?product=${s}`),
      fc.string({ maxLength: 60 }).map((s) => `http://portal.test/api/v1/keys/verify?x=1&product=${encodeURIComponent(s)}#f?product=z`),
      fc.constantFrom("/api/v1/keys/verify", "/api/v1/keys/verify?product=payments", "/v?product=pay%6dents", "/v#?product=payments", "/v?product=a+b", "/v?product=x&product=payments"),
    );
    await fc.assert(
      fc.asyncProperty(target, async (url) => {
        let full: string | null;
        try {
          full = new URL(url, "http://verify").searchParams.get("product");
        } catch {
          return; // the old parser threw (a 503); the new one answers: nothing to compare
        }
        const result = await verifyHttp({ method: "GET", url, headers: new Headers({ authorization: `Bearer ${key}` }), readBody: async () => "" }, async () => [row], {
          prefix: "ptk",
        });
        expect(result.status).toBe(expected(full));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        const incoming = { authorization: a.trim(), "x-api-key": b.trim(), "set-cookie": ["c=1"] };
        const reader = headerReader(incoming);
        expect(keyFromHeaders(reader)).toBe(keyFromHeaders(webHeaders(incoming)));
        expect(reader.get("X-API-Key")).toBe(b.trim());
        expect(reader.get("set-cookie")).toBeNull();
        expect(hashSecret(a)).toBe(createHash("sha256").update(a).digest("hex"));
      }),
      { numRuns: 2000 },
    );
  });
});
