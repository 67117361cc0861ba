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

  it("refuses encoded and disguised ways to name another host", () => {
    for (const evil of [
      "/%2F%2Fevil.example",
      "/%2f/evil.example",
      "%2F%2Fevil.example",
      "/%5Cevil.example",
      "/%5C%5Cevil.example",
      "/%252F%252Fevil.example",
      "/\t/evil.example",
      "/%09/evil.example",
      "\\\\evil.example",
      "https:evil.example",
      "http:/\\evil.example",
      " //evil.example",
    ]) {
      expect(safeCallbackPath(evil), evil).toBe("/");
    }
  });

  it("keeps deep links whole", () => {
    expect(safeCallbackPath("/admin/requests/0b0e7a1e-6c39-4a36-9f0e-0c1d2e3f4a5b")).toBe("/admin/requests/0b0e7a1e-6c39-4a36-9f0e-0c1d2e3f4a5b");
    expect(safeCallbackPath("/admin/requests?status=all&open=abc")).toBe("/admin/requests?status=all&open=abc");
    expect(safeCallbackPath("/apis/payments%20api")).toBe("/apis/payments%20api");
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
