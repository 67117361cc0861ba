import { and, count, eq, inArray, like, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, auditEvents, emailMessages, products } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { pageSchema } from "@/lib/api/cursor";
import { apiDocument } from "@/lib/api/document";
import { accessRequestSchema, requestDetailSchema } from "./access-requests";
import { operations } from "@/lib/api/operations";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken, mailsTo } from "@/tests/requests";
import { withoutWrites } from "@/tests/table-snapshot";

const t = await isolatedDatabase();
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

type Req = { id: string; status: string; products: { id: string; name: string; approved: boolean; revoked: boolean }[] };

/** A consumer's pending request submitted through the cart (Standard plan unless told). */
async function pending(slugs = ["payments"], plan = "Standard", answers: Record<string, unknown> = {}) {
  const u = await f.user();
  for (const slug of slugs) await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan(plan).id });
  const req = await submitRequest(t.db, { userId: u.id, baseUrl: API_BASE_URL }, { newAppName: "App", reason: "Because" }, answers);
  return { user: u, request: req };
}

const events = async (id: string, action: string) =>
  (await t.db.select({ n: count() }).from(auditEvents).where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, action))))[0]?.n;
const approvedMails = async (id: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(emailMessages)
      .where(and(inArray(emailMessages.template, ["approved"]), like(sql`${emailMessages.props}::text`, `%${id}%`)))
  )[0]?.n;

describe("access requests through the API", () => {
  it("the OpenAPI document describes the operations", () => {
    const doc = apiDocument(operations, `${API_BASE_URL}/api/v1`);
    expect(doc.paths?.["/access-requests/{requestId}/approve"]?.post?.operationId).toBe("approveAccessRequest");
    expect(doc.paths?.["/access-requests"]?.post?.operationId).toBe("createAccessRequest");
  });

  it("lists newest first with filters and a keyset cursor; a product viewer sees only requests touching its products", async () => {
    const u = await f.user();
    const made: string[] = [];
    for (const slug of ["weather", "geocoding", "notifications"]) {
      await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
      made.push((await submitRequest(t.db, { userId: u.id, baseUrl: API_BASE_URL }, { newAppName: `App ${slug}`, reason: "Because" }, {})).id);
    }
    // identical created_at: the id breaks the tie, and no row is skipped or repeated across pages
    await t.db.update(accessRequests).set({ createdAt: sql`'2026-06-01T10:00:00.123456Z'::timestamptz` }).where(inArray(accessRequests.id, made));

    const seen: string[] = [];
    let next: string | null = null;
    do {
      const res = await api.call(adminToken, "GET", `/access-requests?requesterEmail=${encodeURIComponent(u.email.toUpperCase())}&limit=2${next ? `&cursor=${next}` : ""}`);
      expect(res.status).toBe(200);
      pageSchema(accessRequestSchema.strict()).strict().parse(res.body);
      seen.push(...(res.body.items as Req[]).map((r) => r.id));
      next = res.body.next as string | null;
      if (next) expect(res.headers.get("link")).toContain("rel=\"next\"");
    } while (next);
    expect(seen).toEqual([...made].sort().reverse());

    const byProduct = await api.call(adminToken, "GET", `/access-requests?productId=${f.product("geocoding").id}&requesterEmail=${u.email}`);
    expect((byProduct.body.items as Req[]).map((r) => r.products[0]?.name)).toEqual(["Geocoding API"]);
    const inJune = await api.call(adminToken, "GET", `/access-requests?createdFrom=2026-06-01&createdTo=2026-06-01&status=pending`);
    expect((inJune.body.items as Req[]).map((r) => r.id).sort()).toEqual([...made].sort());
    const before = await api.call(adminToken, "GET", `/access-requests?createdTo=2026-05-31&requesterEmail=${u.email}`);
    expect(before.body.items).toEqual([]);

    const viewer = await key([{ role: "product_viewer", products: [f.product("weather").id] }]);
    const scoped = await api.call(viewer, "GET", `/access-requests?requesterEmail=${u.email}`);
    expect((scoped.body.items as Req[]).map((r) => r.products[0]?.name)).toEqual(["Weather API"]);
    expect((await api.call(viewer, "GET", `/access-requests/${made[1]}`)).status).toBe(404);

    expect((await api.call(adminToken, "GET", "/access-requests?createdFrom=yesterday")).status).toBe(422);
    expect((await api.call(adminToken, "GET", "/access-requests?limit=201")).status).toBe(422);
    // forged cursors are refused before SQL sees them: 422, never a 500 from a failed cast
    for (const v of [5, "1", "yesterday", "2026-02-30T10:00:00.000000Z", "2026-13-01T10:00:00.000000Z", "0000-01-01T00:00:00.000000Z"]) {
      const forged = Buffer.from(JSON.stringify({ v, id: "x" })).toString("base64url");
      expect((await api.call(adminToken, "GET", `/access-requests?cursor=${forged}`)).status, String(v)).toBe(422);
    }
  });

  it("gets a request with its timeline", async () => {
    const { request } = await pending(["fx-rates"]);
    const res = await api.call(adminToken, "GET", `/access-requests/${request.id}`);
    expect(res.status).toBe(200);
    requestDetailSchema.strict().parse(res.body);
    expect(res.body).toMatchObject({ id: request.id, status: "pending", plan: { name: "Standard" }, app: { name: "App" } });
    expect((res.body.timeline as { action: string }[]).map((e) => e.action)).toEqual(["request.submitted"]);
    expect((await api.call(adminToken, "GET", `/access-requests/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("creates a request on behalf of a consumer, approves it through the API, and the consumer gets the claim link", async () => {
    const consumer = await f.user();
    const payments = f.product("payments");
    const token = await key([{ role: "product_approver", products: [payments.id] }]);
    const made = await api.call(token, "POST", "/access-requests", {
      consumerEmail: consumer.email,
      newAppName: "Billing",
      productIds: [payments.id],
      planId: f.plan("Standard").id,
      reason: "Nightly billing run",
      fields: { useCase: "Invoices" },
      durationDays: 30,
    });
    expect(made.status).toBe(201);
    accessRequestSchema.strict().parse(made.body);
    expect(made.headers.get("location")).toBe(`/api/v1/access-requests/${String(made.body.id)}`);
    expect(made.body).toMatchObject({ status: "pending", requester: { id: consumer.id }, app: { name: "Billing" }, fields: { useCase: "Invoices" }, durationDays: 30 });
    const id = String(made.body.id);
    // the audit names the key as who submitted it, for the consumer
    const [submitted] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, "request.submitted")));
    expect(submitted?.data).toMatchObject({ onBehalfOf: consumer.id });
    expect(submitted?.actorId).not.toBe(consumer.id);

    const approved = await api.call(token, "POST", `/access-requests/${id}/approve`, { comment: "ok" });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", products: [{ id: payments.id, approved: true }] });
    expect((await mailsTo(t.db, consumer.email)).map((m) => m.template)).toEqual(["approved"]);
    expect(await latestClaimToken(t.db, id, API_BASE_URL)).toMatch(/^[\w-]{40,}$/);
    expect(await events(id, "request.approved")).toBe(1);

    const again = await api.call(token, "POST", `/access-requests/${id}/approve`, {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already approved/);
  });

  it("an auto-approve plan approves at once, as in the cart", async () => {
    const consumer = await f.user();
    const app = await f.app(consumer.id, "Existing");
    const res = await api.call(adminToken, "POST", "/access-requests", {
      consumerEmail: consumer.email,
      appId: app.id,
      productIds: [f.product("weather").id],
      planId: f.plan("Free").id,
      reason: "Try it",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "approved", app: { id: app.id } });
    expect((await mailsTo(t.db, consumer.email)).map((m) => m.template)).toEqual(["approved"]);
  });

  it("refuses what the cart refuses, with 422 field errors, and writes nothing", async () => {
    const consumer = await f.user();
    const base = { consumerEmail: consumer.email, newAppName: "X", planId: f.plan("Standard").id, reason: "r", productIds: [f.product("payments").id] };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, consumerEmail: "nobody-here@example.com" }, "consumerEmail", /sign in to the portal once/],
      [{ ...base, productIds: [f.product("payments").id, f.product("identity").id] }, "productIds", /single authentication method/],
      [{ ...base, planId: f.plan("Free").id, productIds: [f.product("routing").id] }, "productIds", /does not offer the Free plan/],
      [{ ...base, productIds: [f.product("ledger-beta").id] }, "productIds", /not available/],
      [{ ...base, productIds: [f.product("payments").id, f.product("payments").id] }, "productIds", /already in your cart/],
      [{ ...base, planId: f.plan("Enterprise").id, fields: { environment: "Moon" } }, "fields.company", /Fill in “Company”/],
      [{ ...base, durationDays: 9999 }, "durationDays", /at most 3,650 days/],
      [{ ...base, durationDays: 365 }, "durationDays", /allows at most 180 days/],
      [{ ...base, startsAt: "2020-01-01T00:00:00Z" }, "startsAt", /cannot be in the past/],
      [{ ...base, newAppName: undefined }, "appId", /either `appId`/],
      [{ ...base, productIds: [crypto.randomUUID()] }, "productIds.0", /No product/],
      [{ ...base, planId: crypto.randomUUID() }, "planId", /No plan/],
    ];
    for (const [body, field, message] of cases) {
      const res = (await withoutWrites(t.sql, () => api.call(adminToken, "POST", "/access-requests", body))) as Awaited<ReturnType<typeof api.call>>;
      expect(res.status, field).toBe(422);
      const errors = res.body.errors as { field: string; detail: string }[];
      expect(errors.find((e) => e.field === field)?.detail, JSON.stringify(res.body)).toMatch(message);
    }
  });

  it("a Product approver cannot create a request for a product outside its scope (403), nor a read-only key (403)", async () => {
    const consumer = await f.user();
    const token = await key([{ role: "product_approver", products: [f.product("payments").id] }]);
    const body = { consumerEmail: consumer.email, newAppName: "X", planId: f.plan("Standard").id, reason: "r", productIds: [f.product("payments").id, f.product("invoices").id] };
    const res = (await withoutWrites(t.sql, () => api.call(token, "POST", "/access-requests", body))) as Awaited<ReturnType<typeof api.call>>;
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("Product approver for Invoices API");
    const viewer = await key([{ role: "portal_viewer" }]);
    expect(((await withoutWrites(t.sql, () => api.call(viewer, "POST", "/access-requests", body))) as { status: number }).status).toBe(403);
  });

  it("a Product approver of A approving a request for B: 403 naming the role, nothing written", async () => {
    const { request } = await pending(["invoices"]);
    const token = await key([{ role: "product_approver", products: [f.product("payments").id] }]);
    for (const [path, body] of [
      ["approve", {}],
      ["deny", { comment: "no" }],
      ["revoke", { reason: "leak" }],
    ] as const) {
      const res = (await withoutWrites(t.sql, () => api.call(token, "POST", `/access-requests/${request.id}/${path}`, body))) as Awaited<ReturnType<typeof api.call>>;
      expect(res.status, path).toBe(403);
      expect(res.body.detail).toContain("Product approver for Invoices API");
    }
  });

  it("a mixed request approved by an approver of A records only A's part, like an owner", async () => {
    const { request } = await pending(["payments", "invoices"]);
    const token = await key([{ role: "product_approver", products: [f.product("payments").id] }]);
    const res = await api.call(token, "POST", `/access-requests/${request.id}/approve`, {});
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("pending");
    const parts = await t.db.select().from(accessRequestProducts).where(eq(accessRequestProducts.requestId, request.id));
    expect(parts.find((p) => p.productId === f.product("payments").id)?.approvedAt).not.toBeNull();
    expect(parts.find((p) => p.productId === f.product("invoices").id)?.approvedAt).toBeNull();
    expect(await events(request.id, "request.approval_recorded")).toBe(1);
    // the owner of the other product completes it
    const done = await decideRequests(t.db, userActor(await f.owner()), { requestIds: [request.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(done[0]?.result).toBe("approved");
  });

  it("a Portal viewer cannot approve (403 from the role check); unknown requests are 404", async () => {
    const { request } = await pending(["geocoding"]);
    const token = await key([{ role: "portal_viewer" }]);
    const res = (await withoutWrites(t.sql, () => api.call(token, "POST", `/access-requests/${request.id}/approve`, {}))) as Awaited<ReturnType<typeof api.call>>;
    expect(res.status).toBe(403);
    expect(res.body.requiredRoles).toEqual(["portal_admin", "product_approver"]);
    expect((await api.call(adminToken, "POST", `/access-requests/${crypto.randomUUID()}/approve`, {})).status).toBe(404);
  });

  it("deny needs a comment (422); with one the request is denied and the consumer emailed", async () => {
    const { request, user } = await pending(["notifications"]);
    for (const body of [{}, { comment: "   " }]) {
      const res = (await withoutWrites(t.sql, () => api.call(adminToken, "POST", `/access-requests/${request.id}/deny`, body))) as Awaited<ReturnType<typeof api.call>>;
      expect(res.status).toBe(422);
      expect((res.body.errors as { field: string }[])[0]?.field).toBe("comment");
    }
    const res = await api.call(adminToken, "POST", `/access-requests/${request.id}/deny`, { comment: "Not for production" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("denied");
    expect((await mailsTo(t.db, user.email)).map((m) => m.template)).toContain("reject");
  });

  it("revoke needs a reason; an approved request is revoked and the consumer told", async () => {
    const { request, user } = await pending(["weather"]);
    await api.call(adminToken, "POST", `/access-requests/${request.id}/approve`, {});
    expect((await api.call(adminToken, "POST", `/access-requests/${request.id}/revoke`, { reason: "" })).status).toBe(422);
    const res = await api.call(adminToken, "POST", `/access-requests/${request.id}/revoke`, { reason: "Contract ended" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("revoked");
    expect((await mailsTo(t.db, user.email)).map((m) => m.template)).toContain("revoked");
    expect((await api.call(adminToken, "POST", `/access-requests/${request.id}/revoke`, { reason: "again" })).status).toBe(409);
  });

  it("an approval through the API and one by a person at the same moment give one decision, one event, one email", async () => {
    // Odd rounds: both approve the same single-product request; one wins, the other hears "already
    // decided". Even rounds: a Payments+FX request where the key approves Payments and FX's owner FX
    // at once; whoever commits second must see the other's part approved (the row lock in
    // decideRequests), or both record "approval recorded" and the request never completes.
    const fxOwner = await f.user("owner");
    await t.db.update(products).set({ ownerId: fxOwner.id }).where(eq(products.id, f.product("fx-rates").id));
    const payments = await key([{ role: "product_approver", products: [f.product("payments").id] }]);
    const owner = userActor(await f.owner());
    for (let round = 0; round < 12; round++) {
      const mixed = round % 2 === 0;
      const { request } = await pending(mixed ? ["payments", "fx-rates"] : ["payments"]);
      const [viaApi, viaPerson] = await Promise.all([
        api.call(payments, "POST", `/access-requests/${request.id}/approve`, {}),
        decideRequests(t.db, mixed ? userActor(fxOwner) : owner, { requestIds: [request.id], decision: "approve", baseUrl: API_BASE_URL }),
      ]);
      const said = `round ${round}: api ${viaApi.status} ${String(viaApi.body.status)}, person ${viaPerson[0]?.result}`;
      const [row] = await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, request.id));
      expect(row?.status, said).toBe("approved");
      expect(await events(request.id, "request.approved"), said).toBe(1);
      expect(await approvedMails(request.id), said).toBe(1);
      if (!mixed) expect([viaApi.status, viaPerson[0]?.result], said).toEqual(viaApi.status === 200 ? [200, "already-decided"] : [409, "approved"]);
    }
  });
});
