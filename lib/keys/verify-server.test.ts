import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { generateKey } from "./key-format";
import { startVerifyServer } from "./verify-server";

const t = await isolatedDatabase();

describe("the dedicated verify listener", () => {
  it("keeps the route's contract: 401 without or with an unknown key, 404 elsewhere, bad JSON 400", async () => {
    const server = await startVerifyServer({ sql: t.sql, prefix: "ptk", port: 0 });
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
});
