import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { apiKeys, users } from "../db/schema";
import { claimKey } from "../lib/keys/claim-key";
import { callAction, sessionCookie } from "./actions";
import { e2eDb, userIdByEmail } from "./db";
import { approvedRequest, claimTokenOf } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function user(role: "consumer" | "owner") {
  const [u] = await conn.db
    .insert(users)
    .values({ email: `${role}-${randomBytes(4).toString("hex")}@example.com`, name: `Keys matrix ${role}`, role })
    .returning();
  if (!u) throw new Error("user");
  return u;
}

const claimToken = (requestId: string) => claimTokenOf(conn, requestId);

async function snapshot(requestId: string) {
  const [row] = await conn.sql`select
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from email_messages) as emails,
    (select count(*)::int from api_keys) as keys,
    (select count(*)::int from claim_links where used_at is not null or superseded_at is not null) as spent_links,
    (select count(*)::int from api_keys where ends_at is not null) as ended_keys,
    (select status from access_requests where id = ${requestId}) as status`;
  return row;
}

type ActionCase = { page: string; file: string; name: string; fields: Record<string, string> };

const refused = /Your session has ended|Your role does not allow|not found|was not found|sent to another account/;

test("key actions refuse anonymous, other consumers and owners of other products, writing nothing", async ({ request }) => {
  const target = await approvedRequest(conn, "payments");
  const token = await claimToken(target.requestId);
  const requesterId = await userIdByEmail(conn.db, target.email);
  const identities = {
    anonymous: undefined,
    "another consumer": await sessionCookie(conn, (await user("consumer")).id),
    "owner of another product": await sessionCookie(conn, (await user("owner")).id),
  };
  const claimPage = { page: `/claim/${token}`, file: "app/claim/[token]/actions.ts" };
  const mine = { page: `/requests/${target.requestId}`, file: "app/(consumer)/requests/actions.ts" };
  const keysPage = { page: "/admin/keys", file: "app/admin/keys/actions.ts" };

  // Approved, not claimed: claim and re-send.
  let before = await snapshot(target.requestId);
  for (const [who, cookie] of Object.entries(identities)) {
    const cases: ActionCase[] = [
      { ...claimPage, name: "claimKeyAction", fields: { token } },
      { ...mine, name: "resendClaimLinkAction", fields: { requestId: target.requestId } },
    ];
    for (const c of cases) {
      const res = await callAction(request, { ...c, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(refused);
      expect(res.text).not.toContain("ptk_");
    }
  }
  expect(await snapshot(target.requestId)).toEqual(before);

  // Claimed: roll, check in, revoke.
  const { key } = await claimKey(conn.db, token, requesterId, { prefix: "ptk" });
  before = await snapshot(target.requestId);
  for (const [who, cookie] of Object.entries(identities)) {
    const cases: ActionCase[] = [
      { ...mine, name: "rollKeyAction", fields: { requestId: target.requestId, keyId: key.id, graceHours: "24" } },
      { ...mine, name: "checkInAction", fields: { requestId: target.requestId } },
      { ...keysPage, name: "revokeAction", fields: { requestId: target.requestId, reason: "Because I can" } },
    ];
    for (const c of cases) {
      const res = await callAction(request, { ...c, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(refused);
      expect(res.text).not.toContain("ptk_");
    }
  }
  expect(await snapshot(target.requestId)).toEqual(before);

  // Bad input from the owner: refused with a field message, nothing written.
  const owner = await sessionCookie(conn, target.ownerId);
  const empty = await callAction(request, { ...keysPage, name: "revokeAction", fields: { requestId: target.requestId, reason: " " }, cookie: owner });
  expect(empty.text).toContain("Say why the access is revoked");
  expect(await snapshot(target.requestId)).toEqual(before);

  // Control: the product's owner can revoke, so the refusals above are real.
  const ok = await callAction(request, { ...keysPage, name: "revokeAction", fields: { requestId: target.requestId, reason: "Matrix control" }, cookie: owner });
  expect(ok.text).toContain('"ok":true');
  const after = await snapshot(target.requestId);
  expect(after?.status).toBe("revoked");
  const [k] = await conn.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
  expect(k?.endReason).toBe("revoked");
});

test("the verify endpoint answers every bad input with a 4xx and never a 500", async ({ request }) => {
  const cases: { headers?: Record<string, string>; data?: string; method?: "GET" | "POST"; query?: string }[] = [
    {},
    { headers: { Authorization: "Bearer" } },
    { headers: { Authorization: "Basic dXNlcjpwYXNz" } },
    { headers: { Authorization: `Bearer ptk_${"A".repeat(49)}` } },
    { headers: { "X-API-Key": "ptk_short" } },
    { headers: { "X-API-Key": "x".repeat(8000) } },
    { headers: { Authorization: `Bearer ${"ptk_".repeat(2000)}` } },
    { method: "POST", data: "{not json", headers: { "content-type": "application/json" } },
    { method: "POST", data: JSON.stringify([1, 2, 3]) },
    { method: "POST", data: JSON.stringify({ key: 42 }) },
    { method: "POST", data: JSON.stringify({ key: null, product: { a: 1 } }) },
    { method: "POST", data: JSON.stringify({ key: "ptk_x", product: "../etc" }) },
    { method: "POST", data: "x".repeat(100_000) },
    { query: "?product=%00%ff" },
    { query: `?product=${"a".repeat(5000)}` },
  ];
  for (const [i, c] of cases.entries()) {
    const url = `/api/v1/keys/verify${c.query ?? ""}`;
    const res = c.method === "POST" ? await request.post(url, { headers: c.headers, data: c.data }) : await request.get(url, { headers: c.headers });
    expect(res.status(), `case ${i}`).toBeGreaterThanOrEqual(400);
    expect(res.status(), `case ${i}`).toBeLessThan(500);
    const body = (await res.json()) as { valid: boolean; error: string };
    expect(body.valid, `case ${i}`).toBe(false);
    expect(body.error.length).toBeGreaterThan(0);
  }
});
