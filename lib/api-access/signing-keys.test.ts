import { execFileSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { portalSigningKeys } from "@/db/schema";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { createSigningKey, retireSigningKey } from "./signing-keys";
import { checkToken } from "./tokens";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const check = (token: string) => checkToken(t.db, token, { issuer: API_BASE_URL });

describe("rotating the token signing key", () => {
  it("new tokens carry the new kid, old tokens verify until their key is retired, then are refused at once", async () => {
    const before = await api.token([{ role: "portal_viewer" }]);
    const oldKid = kidOf(before.token);
    expect(oldKid).toBeTruthy();

    const newKid = await createSigningKey(t.db);
    const after = await api.token([{ role: "portal_viewer" }]);
    expect(kidOf(after.token)).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
    // The old key still verifies what it signed (its verifier is cached in this process by now).
    expect((await check(before.token)).ok).toBe(true);
    expect((await api.call(before.token, "GET", "/products")).status).toBe(200);
    expect((await api.call(after.token, "GET", "/products")).status).toBe(200);

    // The key that signs new tokens cannot be retired before a newer one exists.
    await expect(retireSigningKey(t.db, newKid)).rejects.toThrow(/rotate first/);

    // Retired in the database: refused from the next call, cached verifier or not.
    // as another process (another instance, the script) does it: this process's cache is untouched
    await t.db.update(portalSigningKeys).set({ retiredAt: new Date() }).where(eq(portalSigningKeys.kid, String(oldKid)));
    expect(await check(before.token)).toEqual({ ok: false, reason: "removed or expired key" });
    const refused = await api.call(before.token, "GET", "/products");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect((await api.call(after.token, "GET", "/products")).status).toBe(200);
    await expect(retireSigningKey(t.db, String(oldKid))).rejects.toThrow(/not retired already/);

    // Keys added after the retirement are signed with the new key.
    expect(kidOf((await api.token([{ role: "portal_viewer" }])).token)).toBe(newKid);
  });

  it("npm run api:rotate-signing-key adds a key that signs from then on; --retire stops the old one's tokens", async () => {
    const old = await api.token([{ role: "portal_viewer" }]);
    const run = (...args: string[]) =>
      execFileSync("npx", ["tsx", "scripts/rotate-signing-key.ts", ...args], { env: { ...process.env, DATABASE_URL: t.url }, encoding: "utf8" });
    const out = run();
    const kid = /New signing key ([0-9a-f-]{36})/.exec(out)?.[1];
    expect(kid).toBeTruthy();
    const fresh = await api.token([{ role: "portal_viewer" }]);
    expect(kidOf(fresh.token)).toBe(kid);
    expect((await check(old.token)).ok).toBe(true);

    expect(run("--retire", String(kidOf(old.token)))).toContain("tokens it signed are refused from now on");
    expect((await check(old.token)).ok).toBe(false);
    expect((await check(fresh.token)).ok).toBe(true);
    // Retiring the key that signs is refused with a way forward, and changes nothing.
    expect(() => run("--retire", String(kid))).toThrow(/rotate first/);
    expect((await check(fresh.token)).ok).toBe(true);
  });
});

