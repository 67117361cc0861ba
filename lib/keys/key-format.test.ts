import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_KEY_LENGTH, generateKey, hashSecret, isWellFormedKey, keyStart } from "./key-format";

describe("key format", () => {
  it("generates prefixed keys that pass their own checksum", () => {
    const key = generateKey("ptk");
    expect(key).toMatch(/^ptk_[0-9A-Za-z]{49}$/);
    expect(isWellFormedKey(key, "ptk")).toBe(true);
    expect(keyStart(key)).toBe(key.slice(0, 8));
    expect(hashSecret(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Array.from({ length: 1000 }, () => generateKey("ptk"))).size).toBe(1000);
  });

  it("refuses another prefix, a changed character, and a bad checksum", () => {
    const key = generateKey("ptk");
    expect(isWellFormedKey(key, "abc")).toBe(false);
    const flipped = key.slice(0, 10) + (key[10] === "a" ? "b" : "a") + key.slice(11);
    expect(isWellFormedKey(flipped, "ptk")).toBe(false);
    expect(isWellFormedKey(key.slice(0, -1) + (key.endsWith("0") ? "1" : "0"), "ptk")).toBe(false);
    expect(isWellFormedKey(key + "0", "ptk")).toBe(false);
    expect(isWellFormedKey(key.slice(0, -1), "ptk")).toBe(false);
    expect(isWellFormedKey("", "ptk")).toBe(false);
    expect(isWellFormedKey(undefined, "ptk")).toBe(false);
  });

  it("accepts nothing random (10,000 generated strings) and never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 5000 })), (s) => {
        expect(isWellFormedKey(s, "ptk")).toBe(false);
        return true;
      }),
      { numRuns: 10_000 },
    );
    expect(MAX_KEY_LENGTH).toBe(60);
  });
});
