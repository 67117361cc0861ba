import { expect, test } from "@playwright/test";
import { BASE_URL } from "./keys-helpers";
import { rawGet, upload } from "./http-raw";

// Nothing anonymous can make the server hold a large body, and no address makes it fail.

const MB = 1024 * 1024;

for (const withLength of [true, false]) {
  const how = withLength ? "with Content-Length" : "chunked, without Content-Length";

  test(`verify stops reading at 8 KiB and answers 413 JSON (${how})`, async () => {
    const res = await upload(`${BASE_URL}/api/v1/keys/verify`, 4 * MB, { withLength, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(res.body)).toMatchObject({ valid: false, error: expect.stringContaining("8192 bytes") });
  });

  test(`the Auth.js route refuses a body over 16 KiB with 413 (${how})`, async () => {
    const res = await upload(`${BASE_URL}/api/auth/signin/email`, MB, {
      withLength,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: "payload_too_large" });
  });

  test(`a server action POST over 2 MB is a 413, not a 500 (${how})`, async () => {
    // Next's own answer past serverActions.bodySizeLimit is a 500; proxy.ts refuses first.
    const variants: Record<string, string>[] = [
      { "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8" },
      { "content-type": "multipart/form-data; boundary=----x" },
    ];
    for (const headers of variants) {
      const res = await upload(`${BASE_URL}/cart`, 3 * MB, { withLength, headers });
      expect(res.status, JSON.stringify(headers)).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: "payload_too_large" });
    }
  });
}

test("a server action under the limit still reaches Next (no false 413)", async () => {
  const res = await upload(`${BASE_URL}/cart`, 64 * 1024, {
    withLength: false,
    headers: { "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8" },
  });
  expect(res.status).not.toBe(413);
  expect(res.status).toBeLessThan(500);
});

test("every other API route refuses a body over 64 KiB with 413, with or without Content-Length", async () => {
  for (const path of ["/api/me", "/api/session", "/api/admin/audit/export", "/api/v1/nothing-here"]) {
    for (const withLength of [true, false]) {
      const res = await upload(`${BASE_URL}${path}`, MB, { withLength });
      expect(res.status, `${path} ${withLength ? "with" : "without"} Content-Length`).toBe(413);
    }
  }
});

test("malformed addresses answer 400 or 404, never 500", async () => {
  for (const path of ["/apis/%ff", "/requests/%ff", "/claim/%ff", "/admin/requests/%E0%A4%A", "/apis/%E0%A4%A?q=%ff", "/%ff"]) {
    const res = await rawGet(path);
    expect([400, 404], `${path} answered ${res.status}`).toContain(res.status);
  }
});
