import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { claimKey } from "@/lib/keys/claim-key";
import { lookupKey, verifyKey } from "@/lib/keys/verify-key";
import { pageSchema } from "@/lib/api/cursor";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest, latestClaimToken, mailsTo } from "@/tests/requests";
import { withoutWrites } from "@/tests/table-snapshot";
import { keySchema } from "./keys";

const t = await isolatedDatabase();
const prefix = "ptk";
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
let adminToken: string;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
  adminToken = await key([{ role: "portal_admin" }]);
});

/** A key's token, used once already: its first call records last_used_at, which a refused call must not be blamed for. */
async function key(roles: Parameters<typeof api.token>[0]) {
  const { token } = await api.token(roles);
  await api.call(token, "GET", "/products?limit=1");
  return token;
}

const verify = (secret: string, product?: string) => verifyKey({ key: secret, product }, (hash) => lookupKey(t.sql, hash), { prefix });
type Key = { id: string; start: string; status: string; request: { id: string; status: string }; app: { id: string } };

/** A consumer's request for these products, approved by the owner and its key claimed. */
async function claimed(slugs = ["payments"]) {
  const owner = userActor(await f.owner());
  const { user, request, token } = await approvedRequest({ db: t.db, f, approver: owner, baseUrl: API_BASE_URL }, { slugs });
  const { plaintext, key: row } = await claimKey(t.db, token, user.id, { prefix });
  return { user, request, plaintext, keyId: row.id };
}

describe("keys through the API", () => {
  it("on behalf → approve → the consumer claims the key → listKeys shows it (never the secret) → revokeKey → verify refuses it", async () => {
    const consumer = await f.user();
    const payments = f.product("payments");
    const approver = await key([{ role: "product_approver", products: [payments.id] }]);
    const made = await api.call(approver, "POST", "/access-requests", {
      consumerEmail: consumer.email,
      newAppName: "Payroll",
      productIds: [payments.id],
      planId: f.plan("Standard").id,
      reason: "Payroll runs",
    });
    expect(made.status).toBe(201);
    const requestId = String(made.body.id);
    expect((await api.call(approver, "POST", `/access-requests/${requestId}/approve`, {})).status).toBe(200);
    expect((await mailsTo(t.db, consumer.email)).map((m) => m.template)).toEqual(["approved"]);

    const { plaintext } = await claimKey(t.db, await latestClaimToken(t.db, requestId, API_BASE_URL), consumer.id, { prefix });
    expect((await verify(plaintext, "payments")).status).toBe(200);

    const list = await api.call(approver, "GET", `/keys?requestId=${requestId}`);
    expect(list.status).toBe(200);
    pageSchema(keySchema.strict()).parse(list.body);
    const [k] = list.body.items as Key[];
    expect(k).toMatchObject({ status: "active", request: { id: requestId, status: "available" } });
    expect(plaintext.startsWith(k?.start ?? "?")).toBe(true);
    const [stored] = await t.db.select({ hash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.requestId, requestId));
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(plaintext);
    expect(text).not.toContain(stored?.hash);
    expect(Object.keys(k ?? {})).not.toContain("keyHash");

    const got = await api.call(approver, "GET", `/keys/${k?.id}`);
    expect(got.body).toMatchObject({ id: k?.id, status: "active" });

    const revoked = await api.call(approver, "POST", `/keys/${k?.id}/revoke`, { reason: "Leaked in a log" });
    expect(revoked.status).toBe(200);
    keySchema.strict().parse(revoked.body);
    expect(revoked.body).toMatchObject({ status: "revoked", revokedReason: "Leaked in a log", request: { status: "revoked" } });
    expect((await verify(plaintext, "payments")).status).toBe(401);
    expect((await mailsTo(t.db, consumer.email)).map((m) => m.template)).toContain("revoked");
    expect((await api.call(approver, "POST", `/keys/${k?.id}/revoke`, { reason: "again" })).status).toBe(409);
  });

  it("filters by app and status, pages with a cursor, and a product viewer sees only its products' keys", async () => {
    const a = await claimed(["weather"]);
    const b = await claimed(["geocoding"]);
    const appOfA = ((await api.call(adminToken, "GET", `/keys/${a.keyId}`)).body as Key).app.id;
    const byApp = await api.call(adminToken, "GET", `/keys?appId=${appOfA}`);
    expect((byApp.body.items as Key[]).map((k) => k.id)).toEqual([a.keyId]);
    const active = await api.call(adminToken, "GET", "/keys?status=active&limit=1");
    expect(active.body.items).toHaveLength(1);
    const second = await api.call(adminToken, "GET", `/keys?status=active&limit=1&cursor=${String(active.body.next)}`);
    expect((second.body.items as Key[])[0]?.id).not.toBe((active.body.items as Key[])[0]?.id);
    const revoked = (await api.call(adminToken, "GET", "/keys?status=revoked")).body.items as Key[];
    expect(revoked.every((k) => k.status === "revoked")).toBe(true);
    expect(revoked.map((k) => k.id)).not.toContain(a.keyId);

    const viewer = await key([{ role: "product_viewer", products: [f.product("weather").id] }]);
    expect(((await api.call(viewer, "GET", "/keys")).body.items as Key[]).map((k) => k.id)).toEqual([a.keyId]);
    expect((await api.call(viewer, "GET", `/keys/${b.keyId}`)).status).toBe(404);
    expect((await api.call(viewer, "GET", "/keys?status=lost")).status).toBe(422);
  });

  it("refusals write nothing: an approver of another product (403 naming the role), a read-only key (403), no reason (422), an unknown key (404)", async () => {
    const { keyId, plaintext } = await claimed(["invoices"]);
    const other = await key([{ role: "product_approver", products: [f.product("payments").id] }]);
    const outside = (await withoutWrites(t.sql, () => api.call(other, "POST", `/keys/${keyId}/revoke`, { reason: "x" }))) as Awaited<ReturnType<typeof api.call>>;
    expect(outside.status).toBe(403);
    expect(outside.body.detail).toContain("Product approver for Invoices API");
    const viewer = await key([{ role: "portal_viewer" }]);
    expect(((await withoutWrites(t.sql, () => api.call(viewer, "POST", `/keys/${keyId}/revoke`, { reason: "x" }))) as { status: number }).status).toBe(403);
    expect(((await withoutWrites(t.sql, () => api.call(adminToken, "POST", `/keys/${keyId}/revoke`, { reason: " " }))) as { status: number }).status).toBe(422);
    expect(((await withoutWrites(t.sql, () => api.call(adminToken, "POST", `/keys/${crypto.randomUUID()}/revoke`, { reason: "x" }))) as { status: number }).status).toBe(404);
    expect((await verify(plaintext, "invoices")).status).toBe(200);
  });

  it("an approver of one product of a mixed request revokes that product only; the key keeps working for the other", async () => {
    const { keyId, plaintext } = await claimed(["notifications", "fx-rates"]);
    const approver = await key([{ role: "product_approver", products: [f.product("notifications").id] }]);
    const res = await api.call(approver, "POST", `/keys/${keyId}/revoke`, { reason: "Notifications abuse" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "active", request: { status: "available" } });
    expect((await verify(plaintext, "notifications")).status).toBe(403);
    expect((await verify(plaintext, "fx-rates")).status).toBe(200);
  });
});
