import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiAccessGrant } from "@/db/schema";
import type { ApiRole } from "@/lib/api-access/grants";
import { createApiAccessKey, removeApiAccessKey } from "@/lib/api-access/manage";
import { mintToken } from "@/lib/api-access/tokens";
import type { Operation } from "@/lib/api/operation";
import { operations as realOperations } from "@/lib/api/operations";
import { userActor } from "@/lib/auth/permissions";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { canaryOperation } from "@/tests/api-canary";
import { apiFixtures } from "@/tests/api-fixtures";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { snapshotTables } from "@/tests/table-snapshot";

/**
 * The authorization matrix, generic over `operations` (every operation added later is covered):
 * each role either passes the role check (not 401/403) when the operation lists it, or gets a 403
 * naming the roles that would allow the call, with no table changed; and every bad token (removed,
 * expired, forged, another issuer) gets a 401 on every operation, with no table changed.
 */
/** The real operations and a writing, admin-only canary (tests/api-canary.ts). */
const operations: Operation[] = [...realOperations, canaryOperation];

const t = await isolatedDatabase();
let api: ReturnType<typeof apiHarness>;
let fx: Awaited<ReturnType<typeof apiFixtures>>;
const roleTokens = {} as Record<ApiRole, { token: string; keyId: string }>;
const badTokens: { name: string; token: string }[] = [];

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

beforeAll(async () => {
  const f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f, operations);
  fx = await apiFixtures(t.db, f, api);
  const grants: Record<ApiRole, ApiAccessGrant> = {
    portal_admin: { role: "portal_admin" },
    portal_viewer: { role: "portal_viewer" },
    product_viewer: { role: "product_viewer", products: [fx.productA.id] },
    product_approver: { role: "product_approver", products: [fx.productA.id] },
  };
  for (const [role, grant] of Object.entries(grants) as [ApiRole, ApiAccessGrant][]) {
    const { key, token } = await api.token([grant], `matrix ${role}`);
    roleTokens[role] = { token, keyId: key.id };
  }

  // a live Portal admin key: every forgery below copies its claims, so only the forgery is wrong
  const live = await api.token([{ role: "portal_admin" }], "matrix live admin");
  const claims = decodeJwt(live.token);
  const { kid } = decodeProtectedHeader(live.token);

  const removed = await api.token([{ role: "portal_admin" }], "matrix removed");
  await removeApiAccessKey(t.db, userActor(removed.admin), { keyId: removed.key.id });
  badTokens.push({ name: "removed", token: removed.token });

  const expiredRow = await api.token([{ role: "portal_admin" }], "matrix expired in the db");
  await t.sql`update api_access_keys set expires_at = now() - interval '1 second' where id = ${expiredRow.key.id}`;
  badTokens.push({ name: "expired (database)", token: expiredRow.token });

  const longAgo = new Date(Date.now() - 40 * 86_400_000);
  const expiredJwt = await createApiAccessKey(t.db, userActor(fx.admin), { name: "matrix expired jwt", expiry: "30d", roles: [{ role: "portal_admin" }], issuer: API_BASE_URL, now: longAgo });
  badTokens.push({ name: "expired (exp in the past)", token: expiredJwt.token });

  const { privateKey } = await generateKeyPair("ES256");
  badTokens.push({ name: "forged: same claims and kid, another ES256 key", token: await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey) });
  badTokens.push({ name: 'forged: alg "none", no signature', token: `${b64({ alg: "none", kid, typ: "JWT" })}.${b64(claims)}.` });
  badTokens.push({ name: 'forged: alg "none", junk signature', token: `${b64({ alg: "none", kid, typ: "JWT" })}.${b64(claims)}.${b64("sig")}` });
  badTokens.push({ name: "forged: alg HS256 keyed with the public key id", token: await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid, typ: "JWT" }).sign(new TextEncoder().encode(String(kid))) });
  const jti = String(claims.jti);
  const expiresAt = new Date(Number(claims.exp) * 1000);
  badTokens.push({ name: "another issuer (signed by the portal's key, same jti)", token: await mintToken(t.db, { jti, issuer: "https://evil.example", expiresAt, now: new Date() }) });
  badTokens.push({ name: "re-minted by the portal's key with the same jti (not the token stored)", token: await mintToken(t.db, { jti, issuer: API_BASE_URL, expiresAt, now: new Date(Date.now() - 5_000) }) });
  // the live token itself passes: the forgeries fail for their forgery alone
  expect((await api.call(live.token, "GET", "/products")).status).toBe(200);
}, 120_000);

/** A call of an operation with the fixture ids; a JSON body `{}` when it takes one. */
const callOp = (token: string, op: Operation) => api.call(token, op.method, fx.pathFor(op), op.body ? {} : undefined);

/** Keys record when they were last used at most once a minute: pin it so a refusal that writes anything shows. */
const pinLastUsed = () => t.sql`update api_access_keys set last_used_at = now()`;

const ROLES = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const satisfies readonly ApiRole[];

describe("authorization matrix: every operation × every role", () => {
  it("covers operations (listed here for the report)", () => {
    expect(realOperations.length).toBeGreaterThan(0);
    console.info(`authz matrix over ${realOperations.length} operations (+ the canary): ${realOperations.map((o) => o.operationId).join(", ")}`);
  });

  it.each(operations.map((op) => [op.operationId, op] as const))("%s: allowed roles pass the role check, the others get 403 naming the roles; a refusal writes nothing", async (_id, op) => {
    const refused = ROLES.filter((r) => !op.roles.includes(r));
    if (refused.length > 0) {
      await pinLastUsed();
      const before = await snapshotTables(t.sql);
      for (const role of refused) {
        const res = await callOp(roleTokens[role].token, op);
        expect(res.status, `${op.operationId} as ${role}`).toBe(403);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect([...((res.body.requiredRoles as string[]) ?? [])].sort(), `${op.operationId} as ${role}: requiredRoles`).toEqual([...op.roles].sort());
      }
      expect(await snapshotTables(t.sql), `${op.operationId}: refused roles ${refused.join(", ")} changed a table`).toEqual(before);
    }
    for (const role of ROLES.filter((r) => op.roles.includes(r))) {
      const res = await callOp(roleTokens[role].token, op);
      expect([401, 403], `${op.operationId} as ${role}: ${JSON.stringify(res.body)}`).not.toContain(res.status);
      expect(res.status, `${op.operationId} as ${role}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
  });
});

describe("authorization matrix: every operation × every bad token", () => {
  it.each(operations.map((op) => [op.operationId, op] as const))("%s: a removed, expired, forged or foreign token gets 401 and writes nothing", async (_id, op) => {
    expect(badTokens.length).toBeGreaterThanOrEqual(9);
    await pinLastUsed();
    const before = await snapshotTables(t.sql);
    for (const { name, token } of badTokens) {
      const res = await callOp(token, op);
      expect(res.status, `${op.operationId} with a ${name} token`).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    const none = await callOp("", op);
    expect(none.status, `${op.operationId} without a token`).toBe(401);
    expect(await snapshotTables(t.sql), `${op.operationId}: a bad token changed a table`).toEqual(before);
  });
});
