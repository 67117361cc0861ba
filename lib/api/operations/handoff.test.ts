import { randomBytes } from "node:crypto";
import { and, count, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { accessRequests, auditEvents, plans, productPlans, users, webhookEvents } from "@/db/schema";
import type { ApiAccessGrant } from "@/db/schema";
import { createApiAccessKey } from "@/lib/api-access/manage";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { createWebhookEndpoint } from "@/lib/webhooks/manage";
import { mintHandoffReference } from "@/lib/webhooks/handoff-reference";
import { consumerRedirect } from "@/lib/webhooks/redirect-consumer";
import { claimKey } from "@/lib/keys/claim-key";
import { submitRequest } from "@/lib/requests/submit-request";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken, mailsTo } from "@/tests/requests";
import { snapshotTables } from "@/tests/table-snapshot";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
let planId: string;
const tokens = {} as Record<"approver" | "viewer" | "otherApprover" | "admin", string>;

beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
  const [plan] = await t.db.insert(plans).values({ name: `Checkout ${randomBytes(3).toString("hex")}`, autoApprove: true, redirectUrl: "https://billing.example/checkout?sku=gold" }).returning();
  if (!plan) throw new Error("plan insert");
  planId = plan.id;
  await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId });
  const grant = (role: "product_approver" | "product_viewer", slug: string): ApiAccessGrant => ({ role, products: [f.product(slug).id] });
  tokens.approver = (await api.token([grant("product_approver", "payments")], "Billing system")).token;
  tokens.viewer = (await api.token([grant("product_viewer", "payments")])).token;
  tokens.otherApprover = (await api.token([grant("product_approver", "invoices")])).token;
  tokens.admin = (await api.token([{ role: "portal_admin" }])).token;
  // a subscriber, so the lifecycle's webhook events are written
  const admin = await f.user("admin");
  await createWebhookEndpoint(t.db, userActor(admin), { name: "Billing", url: "http://127.0.0.1:9/hooks", eventTypes: "all", productIds: "all" }, { allowHttp: true, allowPrivate: true });
});

/** A consumer submits on the redirecting plan and is sent on: the request and the reference their browser carries. */
async function handedOff() {
  const user = await f.user();
  await addToCart(t.db, user.id, { productId: f.product("payments").id, planId });
  const request = await submitRequest(t.db, { userId: user.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Checkout" }, {});
  const target = new URL((await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL })) ?? "");
  return { user, request, reference: target.searchParams.get("portico_reference") ?? "" };
}

const verify = (token: string | null, reference: string) => api.call(token, "POST", "/handoff-references/verify", { reference });
const cancel = (token: string | null, id: string, body: unknown = {}, headers: Record<string, string> = {}) => api.call(token, "POST", `/access-requests/${id}/cancel`, body, headers);
const statusOf = async (id: string) => (await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
const eventsOf = async (id: string, type: string) =>
  (await t.db.select({ n: count() }).from(webhookEvents).where(and(eq(webhookEvents.type, type), like(webhookEvents.body, `%${id}%`))))[0]?.n;
/** Keys record when they were last used at most once a minute: pin it so a refusal that writes anything shows. */
const pinLastUsed = () => t.sql`update api_access_keys set last_used_at = now()`;

describe("the third party verifies the reference", () => {
  it("a Product approver or viewer of the product gets the request; out of scope is a 404; no key a 401", async () => {
    const { request, reference } = await handedOff();
    for (const token of [tokens.approver, tokens.viewer, tokens.admin]) {
      const res = await verify(token, reference);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ request: { id: request.id, status: "pending", app: { id: request.appId }, plan: { id: planId } } });
      expect(Date.parse(String(res.body.expiresAt)) - Date.now()).toBeGreaterThan(23 * 3600_000);
    }
    const outside = await verify(tokens.otherApprover, reference);
    expect(outside.status).toBe(404);
    expect(outside.body.detail).toBe("No access request with this id in this key's scope.");
    expect((await verify(null, reference)).status).toBe(401);
  });

  it("a tampered, expired, foreign or empty reference is a 422 naming the field, and nothing is written", async () => {
    const { request, reference } = await handedOff();
    const [h, p, s] = reference.split(".");
    const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: crypto.randomUUID() })).toString("base64url")}.${s}`;
    const expired = await mintHandoffReference(t.db, { requestId: request.id, appId: request.appId, planId, issuer: API_BASE_URL, now: new Date(Date.now() - 25 * 3600_000) });
    const foreign = await mintHandoffReference(t.db, { requestId: request.id, appId: request.appId, planId, issuer: "https://other.example" });
    await pinLastUsed();
    const before = await snapshotTables(t.sql);
    const cases: [string, string, RegExp][] = [
      ["tampered", tampered, /not issued by this portal for a hand-off, or it was changed/],
      ["expired", expired, /expired \(references last 24 hours\)/],
      ["another portal's", foreign, /not issued by this portal/],
      ["an API access token", tokens.approver, /not issued by this portal for a hand-off/],
      ["garbage", "hello", /not a Portico hand-off reference/],
    ];
    for (const [name, value, message] of cases) {
      const res = await verify(tokens.approver, value);
      expect(res.status, name).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(String(res.body.detail), name).toMatch(message);
      expect(res.body.errors, name).toEqual([{ in: "body", field: "reference", detail: res.body.detail }]);
    }
    const empty = await verify(tokens.approver, "");
    expect(empty.status).toBe(422);
    expect(JSON.stringify(empty.body.errors)).toContain("portico_reference");
    expect(await snapshotTables(t.sql)).toEqual(before);
  });
});

describe("the third party confirms or cancels", () => {
  it("confirms with the approve operation: approved, the claim link emailed, audited as the key", async () => {
    const { user, request } = await handedOff();
    const res = await api.call(tokens.approver, "POST", `/access-requests/${request.id}/approve`, {});
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("approved");
    expect((await mailsTo(t.db, user.email)).map((m) => m.template)).toContain("approved");
    const [event] = await t.db.select({ name: users.name }).from(auditEvents).innerJoin(users, eq(users.id, auditEvents.actorId)).where(and(eq(auditEvents.subjectId, request.id), eq(auditEvents.action, "request.approved")));
    expect(event?.name).toBe("Billing system");
  });

  it("cancels: cancelled, audited as the key with the comment, the requester emailed, access_request.cancelled emitted — once; Idempotency-Key replays", async () => {
    const { user, request } = await handedOff();
    const res = await cancel(tokens.approver, request.id, { comment: "The checkout was abandoned." }, { "Idempotency-Key": "cancel-1" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: request.id, status: "cancelled" });
    expect(await statusOf(request.id)).toBe("cancelled");
    const [event] = await t.db
      .select({ name: users.name, comment: auditEvents.comment })
      .from(auditEvents)
      .innerJoin(users, eq(users.id, auditEvents.actorId))
      .where(and(eq(auditEvents.subjectId, request.id), eq(auditEvents.action, "request.cancelled")));
    expect(event).toEqual({ name: "Billing system", comment: "The checkout was abandoned." });
    const [mail] = (await mailsTo(t.db, user.email)).filter((m) => m.template === "cancelled");
    expect(mail?.subject).toBe("Cancelled: Payments API");
    expect(mail?.props).toMatchObject({ cancelledBy: "Billing system", comment: "The checkout was abandoned.", requestUrl: `${API_BASE_URL}/requests/${request.id}` });
    expect(await eventsOf(request.id, "access_request.cancelled")).toBe(1);
    // the consumer is no longer sent to the third party for it
    expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL })).toBeNull();

    const replay = await cancel(tokens.approver, request.id, { comment: "The checkout was abandoned." }, { "Idempotency-Key": "cancel-1" });
    expect(replay.status).toBe(200);
    await pinLastUsed();
    const before = await snapshotTables(t.sql);
    const again = await cancel(tokens.approver, request.id);
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe("This request is already cancelled; nothing was changed.");
    expect(await snapshotTables(t.sql)).toEqual(before);
    expect((await mailsTo(t.db, user.email)).filter((m) => m.template === "cancelled")).toHaveLength(1);
  });

  it("cancels an approved request whose key is not claimed (its claim link then fails); a claimed one is revoked instead", async () => {
    const a = await handedOff();
    expect((await api.call(tokens.approver, "POST", `/access-requests/${a.request.id}/approve`, {})).status).toBe(200);
    const claimToken = await latestClaimToken(t.db, a.request.id, API_BASE_URL);
    expect((await cancel(tokens.approver, a.request.id)).status).toBe(200);
    await expect(claimKey(t.db, claimToken, a.user.id, { prefix: "ptk", baseUrl: API_BASE_URL })).rejects.toThrow(/cancelled/);
    expect(await statusOf(a.request.id)).toBe("cancelled");

    const b = await handedOff();
    expect((await api.call(tokens.approver, "POST", `/access-requests/${b.request.id}/approve`, {})).status).toBe(200);
    await claimKey(t.db, await latestClaimToken(t.db, b.request.id, API_BASE_URL), b.user.id, { prefix: "ptk", baseUrl: API_BASE_URL });
    const claimed = await cancel(tokens.approver, b.request.id);
    expect(claimed.status).toBe(409);
    expect(claimed.body.detail).toMatch(/key claimed.*revoke it instead/);
    expect(await statusOf(b.request.id)).toBe("available");
  });

  it("authorization: no key 401, a viewer 403, another product's approver 403, the key creator's own request 403 — nothing written", async () => {
    const { request } = await handedOff();
    await pinLastUsed();
    const before = await snapshotTables(t.sql);
    expect((await cancel(null, request.id)).status).toBe(401);
    const viewer = await cancel(tokens.viewer, request.id);
    expect(viewer.status).toBe(403);
    expect(viewer.body.requiredRoles).toEqual(["portal_admin", "product_approver"]);
    const other = await cancel(tokens.otherApprover, request.id);
    expect(other.status).toBe(403);
    expect(String(other.body.detail)).toContain("Product approver for Payments API");
    expect((await cancel(tokens.approver, crypto.randomUUID())).status).toBe(404);
    expect(await statusOf(request.id)).toBe("pending");
    expect(await snapshotTables(t.sql)).toEqual(before);

    // separation of duties: a key acts for the admin who created it, who cannot cancel (decide) their own request
    const admin = await f.user("admin");
    const own = await createApiAccessKey(t.db, userActor(admin), { name: `own ${randomBytes(3).toString("hex")}`, expiry: "30d", roles: [{ role: "portal_admin" }], issuer: API_BASE_URL });
    await addToCart(t.db, admin.id, { productId: f.product("payments").id, planId });
    const mine = await submitRequest(t.db, { userId: admin.id, baseUrl: API_BASE_URL }, { newAppName: "Admin's shop", reason: "Mine" }, {});
    await pinLastUsed();
    const snapshot = await snapshotTables(t.sql);
    const refused = await cancel(own.token, mine.id);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe("You requested this access: another approver decides.");
    expect(await snapshotTables(t.sql)).toEqual(snapshot);
  });
});
