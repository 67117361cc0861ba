import { describe, expect, it } from "vitest";
import { InvalidEmailAddress, inboxOf, normalizeEmailAddress } from "./email-address";

describe("normalizeEmailAddress", () => {
  it("trims and lowercases what the sign-in form accepts", () => {
    expect(normalizeEmailAddress("  Ada.Lovelace@Example.COM ")).toBe("ada.lovelace@example.com");
    expect(normalizeEmailAddress("ada+portal@example.com")).toBe("ada+portal@example.com");
    expect(normalizeEmailAddress("o'brien@example.com")).toBe("o'brien@example.com");
  });

  it("refuses anything that could split or extend an email's To", () => {
    for (const value of [
      "inject@example.com\r\nx-spoofed: yes",
      "inject@example.com\nbcc: x@evil.test",
      "attacker,victim@example.com",
      "attacker@evil.test,victim@example.com",
      "a;b@example.com",
      "a b@example.com",
      '"attacker@evil.test"@example.com',
      "a@b@example.com",
      "attacker@evil.test＠example.com", // FULLWIDTH COMMERCIAL AT: NFKC makes it a second "@"
      "attacker﹐victim@example.com", // SMALL COMMA
      "Ada <ada@example.com>",
      "ada@example.com\u0000",
      "ada\u2028@example.com",
      "ada@localhost",
      "",
      "@example.com",
      `${"a".repeat(250)}@example.com`,
    ])
      expect(() => normalizeEmailAddress(value), JSON.stringify(value)).toThrow(
        InvalidEmailAddress,
      );
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, ["ada@example.com"]])
      expect(() => normalizeEmailAddress(value)).toThrow(InvalidEmailAddress);
  });
});

describe("inboxOf", () => {
  it("drops a +tag and the case, so every variant of one inbox counts as one", () => {
    expect(inboxOf("Victim+1@Example.com")).toBe("victim@example.com");
    expect(inboxOf("victim+a+b@example.com")).toBe("victim@example.com");
    expect(inboxOf("victim@example.com")).toBe("victim@example.com");
  });

  it("keeps different inboxes and domains apart", () => {
    expect(inboxOf("victim@example.com")).not.toBe(inboxOf("victim2@example.com"));
    expect(inboxOf("victim+x@example.com")).not.toBe(inboxOf("victim@example.org"));
  });
});
