import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { upload as uploadRaw } from "@/tests/http-raw";
import { generateKey } from "./key-format";
import { createVerifyContext } from "./verify-context";
import { MAX_VERIFY_BODY } from "./verify-http";
import { INVALID_KEY_MESSAGE } from "./verify-key";
import { startVerifyServer } from "./verify-server";

const t = await isolatedDatabase();
// This file's own limits and background reads, on its own database, stopped when it ends: the
// process's shared context (what the listener uses by default) would outlive the file's database.
const context = createVerifyContext(t.sql);
afterAll(() => context.flush());

const upload = (url: string, total: number, withLength: boolean) =>
  uploadRaw(url, total, { withLength, headers: { "content-type": "application/json" } });

describe("the dedicated verify listener", () => {
  it("keeps the route's contract: 401 without or with an unknown key, 404 elsewhere, bad JSON 400", async () => {
    const server = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0, context });
    try {
      const verify = `${server.url}/api/v1/keys/verify`;
      expect((await fetch(verify)).status).toBe(401);
      const unknown = generateKey("ptk");
      const res = await fetch(`${verify}?product=payments`, { headers: { "x-api-key": unknown } });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect((await fetch(verify, { method: "POST", body: "{oops" })).status).toBe(400);
      expect((await fetch(verify, { method: "POST", body: JSON.stringify({ key: unknown }) })).status).toBe(401);
      expect((await fetch(`${server.url}/admin`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("answers one generic 401 body for a missing, malformed or unknown key", async () => {
    const server = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0, context });
    try {
      const verify = `${server.url}/api/v1/keys/verify`;
      const bodies = await Promise.all(
        ([{}, { "x-api-key": "ptk_nonsense" }, { "x-api-key": generateKey("ptk") }] as Record<string, string>[]).map(async (headers) => {
          const res = await fetch(verify, { headers });
          expect(res.status).toBe(401);
          return res.json();
        }),
      );
      for (const body of bodies) expect(body).toEqual({ valid: false, error: INVALID_KEY_MESSAGE });
    } finally {
      await server.close();
    }
  });

  it("stops reading a body past 8 KiB and answers 413 JSON, with or without Content-Length", async () => {
    const server = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0, context });
    try {
      const verify = `${server.url}/api/v1/keys/verify`;
      for (const withLength of [true, false]) {
        const res = await upload(verify, 4 * 1024 * 1024, withLength);
        expect(res.status, `413 ${withLength ? "with" : "without"} Content-Length`).toBe(413);
        expect(res.headers["content-type"]).toBe("application/json");
        expect(JSON.parse(res.body)).toMatchObject({ valid: false, error: expect.stringContaining("8192 bytes") });
      }
      // Just under the limit is read and answered as usual.
      const small = await upload(verify, MAX_VERIFY_BODY, false);
      expect(small.status).toBe(400);
      // And the listener still serves.
      expect((await fetch(verify)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it("sends nosniff and a no-content CSP, and HSTS only behind https", async () => {
    const plain = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0, baseUrl: "http://localhost:3000", context });
    const secure = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0, baseUrl: "https://portal.example.com", context });
    try {
      const a = await fetch(`${plain.url}/api/v1/keys/verify`);
      expect(a.headers.get("x-content-type-options")).toBe("nosniff");
      expect(a.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(a.headers.get("strict-transport-security")).toBeNull();
      const b = await fetch(`${secure.url}/api/v1/keys/verify`);
      expect(b.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await plain.close();
      await secure.close();
    }
  });
});
