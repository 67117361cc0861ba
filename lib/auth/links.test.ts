import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rebaseLink, safeCallbackPath } from "./links";

describe("rebaseLink", () => {
  it("puts the link on the configured origin whatever host Auth.js saw", () => {
    const link = rebaseLink(
      "http://evil.example:666/api/auth/callback/email?token=abc&email=a%40b.c&callbackUrl=https%3A%2F%2Fevil.example%2Fx",
      "https://portal.example.com",
    );
    const url = new URL(link);
    expect(url.origin).toBe("https://portal.example.com");
    expect(url.pathname).toBe("/api/auth/callback/email");
    expect(url.searchParams.get("token")).toBe("abc");
    // Only the path of an absolute destination survives, on the configured origin.
    expect(url.searchParams.get("callbackUrl")).toBe("/x");
  });

  it("keeps a base path", () => {
    expect(rebaseLink("http://x/api/auth/callback/email?token=t", "https://example.com/portal/")).toBe(
      "https://example.com/portal/api/auth/callback/email?token=t",
    );
  });
});

describe("safeCallbackPath", () => {
  it("keeps same-site paths and drops everything else", () => {
    expect(safeCallbackPath("/apis?q=x")).toBe("/apis?q=x");
    expect(safeCallbackPath("//evil.example/x")).toBe("/");
    expect(safeCallbackPath("https://evil.example/x")).toBe("/");
    expect(safeCallbackPath("javascript:alert(1)")).toBe("/");
    expect(safeCallbackPath(null)).toBe("/");
    expect(safeCallbackPath("/.//evil.example")).toBe("/");
    expect(safeCallbackPath("/\\evil.example")).toBe("/");
  });

  it("always returns a local path (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath()), (input) => {
        const out = safeCallbackPath(input);
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        expect(new URL(out, "https://portal.example.com").origin).toBe("https://portal.example.com");
      }),
      { numRuns: 2000 },
    );
  });
});
