import { createHmac, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { accessRequests, apiKeys, emailMessages, plans, portalSigningKeys, productPlans, webhookEndpoints, webhookEvents } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { decideRequests } from "@/lib/requests/decide-requests";
import { fallBackHandoffs } from "@/lib/requests/handoff-fallback";
import { getMyRequest } from "@/lib/requests/queries";
import { submitRequest } from "@/lib/requests/submit-request";
import { recoverForm } from "@/lib/webhooks/endpoint-form";
import { createWebhookEndpoint, recoverFailedDeliveries, removeWebhookEndpoint, setWebhookEndpointEnabled } from "@/lib/webhooks/manage";
import { verifyHandoffReference } from "@/lib/webhooks/handoff-reference";
import { consumerRedirect } from "@/lib/webhooks/redirect-consumer";
import { approvedRequest, latestClaimToken } from "@/tests/requests";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { snapshotTables } from "@/tests/table-snapshot";

/** Second adversary on the merged hand-off work (cancel, External fallback, redirect). */
const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;

beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

const statusOf = async (id: string) => (await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
/** Keys record when they were last used at most once a minute: pin it so a refusal that writes anything shows. */
const pinLastUsed = () => t.sql`update api_access_keys set last_used_at = now()`;

describe("cancel through the API on a request mixing products", () => {
  it("an approver of one product cannot cancel an approved request whose other product another owner approved (they revoke theirs instead); nothing written", async () => {
    const admin = userActor(await f.user("admin"));
    const { request, user, token: claimToken } = await approvedRequest({ db: t.db, f, approver: admin, baseUrl: API_BASE_URL }, { slugs: ["payments", "invoices"] });
    expect(await statusOf(request.id)).toBe("approved");
    const paymentsOnly = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;

    await pinLastUsed();
    const before = await snapshotTables(t.sql);
    const res = await api.call(paymentsOnly, "POST", `/access-requests/${request.id}/cancel`, { comment: "Checkout abandoned." });
    expect(res.status).toBe(403);
    expect(String(res.body.detail)).toMatch(/Invoices API/);
    expect(await statusOf(request.id)).toBe("approved");
    expect(await snapshotTables(t.sql)).toEqual(before);
    // the requester still gets the key Invoices' owner approved
    await claimKey(t.db, claimToken, user.id, { prefix: "ptk", baseUrl: API_BASE_URL });
    expect(await statusOf(request.id)).toBe("available");
  });

  it("once the other product's owner revoked theirs, the approver of the product left may cancel the approved request", async () => {
    const admin = userActor(await f.user("admin"));
    const again = await approvedRequest({ db: t.db, f, approver: admin, baseUrl: API_BASE_URL }, { slugs: ["payments", "invoices"] });
    const invoices = (await api.token([{ role: "product_approver", products: [f.product("invoices").id] }])).token;
    expect((await api.call(invoices, "POST", `/access-requests/${again.request.id}/revoke`, { reason: "Invoices closed." })).status).toBe(200);
    expect(await statusOf(again.request.id)).toBe("approved");
    const paymentsOnly = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;
    expect((await api.call(paymentsOnly, "POST", `/access-requests/${again.request.id}/cancel`, {})).status).toBe(200);
    expect(await statusOf(again.request.id)).toBe("cancelled");
  });

  it("a key over every product of the approved request still cancels it; a pending mixed request is cancelled by an approver of one product (as their deny would end it)", async () => {
    const admin = userActor(await f.user("admin"));
    const both = (await api.token([{ role: "product_approver", products: [f.product("payments").id, f.product("invoices").id] }])).token;
    const { request } = await approvedRequest({ db: t.db, f, approver: admin, baseUrl: API_BASE_URL }, { slugs: ["payments", "invoices"] });
    expect((await api.call(both, "POST", `/access-requests/${request.id}/cancel`, {})).status).toBe(200);
    expect(await statusOf(request.id)).toBe("cancelled");

    const consumer = await f.user();
    for (const slug of ["payments", "invoices"]) await addToCart(t.db, consumer.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
    const pending = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Mixed", reason: "Both" }, {});
    const paymentsOnly = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;
    expect((await api.call(paymentsOnly, "POST", `/access-requests/${pending.id}/cancel`, {})).status).toBe(200);
    expect(await statusOf(pending.id)).toBe("cancelled");
  });
});

describe("External hand-off, seen by the requester", () => {
  it("the requester's timeline after the fallback does not name the webhook endpoint (approvers see it; the requester only that a third party decides)", async () => {
    const endpointName = `Stripe prod billing ${randomUUID().slice(0, 8)}`;
    const [endpoint] = await t.db.insert(webhookEndpoints).values({ name: endpointName, url: "https://billing.example.com/hooks", secret: "sealed" }).returning();
    if (!endpoint) throw new Error("no endpoint");
    const [plan] = await t.db.insert(plans).values({ name: `External ${randomUUID().slice(0, 8)}`, handoffEndpointId: endpoint.id, handoffTimeoutHours: 1 }).returning();
    if (!plan) throw new Error("no plan");
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const consumer = await f.user();
    await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Paid" }, {});
    expect(await fallBackHandoffs(t.db, API_BASE_URL, new Date(Date.now() + 2 * 3_600_000))).toContain(request.id);

    const mine = await getMyRequest(t.db, consumer.id, request.id);
    expect(mine?.timeline.map((e) => e.action)).toContain("request.handoff_timed_out");
    expect(JSON.stringify(mine?.timeline)).not.toContain(endpointName);
  });
});

describe("External hand-off whose endpoint goes away", () => {
  /** An External plan (72 h) on payments handing off to a fresh endpoint, and a request waiting on it. */
  async function waitingRequest() {
    const [endpoint] = await t.db.insert(webhookEndpoints).values({ name: `Billing ${randomUUID().slice(0, 8)}`, url: "https://billing.example.com/hooks", secret: "sealed" }).returning();
    if (!endpoint) throw new Error("no endpoint");
    const [plan] = await t.db.insert(plans).values({ name: `External ${randomUUID().slice(0, 8)}`, handoffEndpointId: endpoint.id, handoffTimeoutHours: 720 }).returning();
    if (!plan) throw new Error("no plan");
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const consumer = await f.user();
    await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Paid" }, {});
    expect(request.plan.handoff?.endpointId).toBe(endpoint.id);
    return { endpoint, request };
  }
  const ownerMails = async (requestId: string) =>
    (await t.db.select().from(emailMessages).where(eq(emailMessages.template, "new-request"))).filter((m) => JSON.stringify(m.props).includes(`/admin/requests/${requestId}`));

  it("a request waiting for an endpoint an admin removed or disabled falls back to the approvers at the next run, not 30 days later", async () => {
    const admin = userActor(await f.user("admin"));
    const removed = await waitingRequest();
    const disabled = await waitingRequest();
    const still = await waitingRequest();
    await removeWebhookEndpoint(t.db, admin, removed.endpoint.id);
    await setWebhookEndpointEnabled(t.db, admin, disabled.endpoint.id, false);

    const fell = await fallBackHandoffs(t.db, API_BASE_URL);
    expect(fell).toEqual(expect.arrayContaining([removed.request.id, disabled.request.id]));
    expect(fell).not.toContain(still.request.id);
    expect((await ownerMails(removed.request.id)).length).toBeGreaterThan(0);
    expect((await ownerMails(disabled.request.id))[0]?.props).toMatchObject({ handoff: { endpointGone: true } });
    expect(await ownerMails(still.request.id)).toEqual([]);
    // once only
    expect(await fallBackHandoffs(t.db, API_BASE_URL)).not.toContain(removed.request.id);
  });
});

describe("the redirect reference", () => {
  /** A redirecting plan on payments, a consumer sent on, the URL their browser carries. */
  async function sentOn() {
    const [plan] = await t.db.insert(plans).values({ name: `Checkout ${randomUUID().slice(0, 8)}`, redirectUrl: "https://billing.example/checkout" }).returning();
    if (!plan) throw new Error("no plan");
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const consumer = await f.user();
    await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Paid" }, {});
    const url = new URL((await consumerRedirect(t.db, { requestId: request.id, requesterId: consumer.id, issuer: API_BASE_URL })) ?? "");
    return { consumer, request, reference: url.searchParams.get("portico_reference") ?? "" };
  }

  it("Continue sends only the requester, only while pending: another consumer, an admin, or the same requester after a decision get nothing", async () => {
    const { consumer, request } = await sentOn();
    const other = await f.user();
    const admin = await f.user("admin");
    for (const who of [other.id, admin.id]) expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: who, issuer: API_BASE_URL })).toBeNull();
    expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: consumer.id, issuer: API_BASE_URL })).toMatch(/^https:\/\/billing\.example\/checkout\?portico_reference=/);
    await decideRequests(t.db, userActor(admin), { requestIds: [request.id], decision: "deny", comment: "No.", baseUrl: API_BASE_URL });
    expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: consumer.id, issuer: API_BASE_URL })).toBeNull();
  });

  it("alg none and HS256 keyed with the portal's public key (algorithm confusion) do not verify", async () => {
    const { reference } = await sentOn();
    expect((await verifyHandoffReference(t.db, reference, { issuer: API_BASE_URL })).ok).toBe(true);
    const [header, payload] = reference.split(".");
    const head = JSON.parse(Buffer.from(header ?? "", "base64url").toString()) as Record<string, unknown>;
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${enc({ ...head, alg: "none" })}.${payload}.`;
    expect((await verifyHandoffReference(t.db, none, { issuer: API_BASE_URL })).ok).toBe(false);
    const [row] = await t.db.select({ publicJwk: portalSigningKeys.publicJwk }).from(portalSigningKeys).where(eq(portalSigningKeys.kid, String(head.kid)));
    for (const secret of [JSON.stringify(row?.publicJwk), String((row?.publicJwk as { x?: string } | undefined)?.x)]) {
      const signingInput = `${enc({ ...head, alg: "HS256" })}.${payload}`;
      const mac = createHmac("sha256", secret).update(signingInput).digest("base64url");
      expect((await verifyHandoffReference(t.db, `${signingInput}.${mac}`, { issuer: API_BASE_URL })).ok).toBe(false);
    }
  });

  it("no webhook payload carries the reference, the claim link or the key, from submit through the API's approve or cancel", async () => {
    const admin = await f.user("admin");
    await createWebhookEndpoint(t.db, userActor(admin), { name: `All ${randomUUID().slice(0, 8)}`, url: "http://127.0.0.1:9/hooks", eventTypes: "all", productIds: "all" }, { allowHttp: true, allowPrivate: true });
    const approver = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;
    const a = await sentOn();
    expect((await api.call(approver, "POST", `/access-requests/${a.request.id}/approve`, {})).status).toBe(200);
    const claimToken = await latestClaimToken(t.db, a.request.id, API_BASE_URL);
    const { plaintext } = await claimKey(t.db, claimToken, a.consumer.id, { prefix: "ptk", baseUrl: API_BASE_URL });
    const b = await sentOn();
    expect((await api.call(approver, "POST", `/access-requests/${b.request.id}/cancel`, { comment: "Abandoned." })).status).toBe(200);

    const bodies = (await t.db.select({ body: webhookEvents.body }).from(webhookEvents)).map((e) => e.body).join("\n");
    for (const id of [a.request.id, b.request.id]) expect(bodies).toContain(id);
    for (const secret of [a.reference, b.reference, claimToken, plaintext, "portico_reference"]) expect(bodies).not.toContain(secret);
  });
});

describe("races on a handed-off request", () => {
  it("cancel against approve ends cancelled, emails matching what happened; cancel against claim: exactly one wins and the loser leaves no key", async () => {
    const admin = userActor(await f.user("admin"));
    const approver = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;
    const canceller = (await api.token([{ role: "product_approver", products: [f.product("payments").id] }])).token;
    for (let i = 0; i < 5; i++) {
      const consumer = await f.user();
      await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
      const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Race", reason: "Race" }, {});
      const [approve, cancel] = await Promise.all([
        api.call(approver, "POST", `/access-requests/${request.id}/approve`, {}),
        api.call(canceller, "POST", `/access-requests/${request.id}/cancel`, {}),
      ]);
      // an approved request may still be cancelled (its key is not claimed): cancel always wins in the end;
      // approve wins only when it came first, and then the requester hears both
      expect(cancel.status).toBe(200);
      expect([200, 409]).toContain(approve.status);
      expect(await statusOf(request.id)).toBe("cancelled");
      const templates = (await t.db.select({ template: emailMessages.template }).from(emailMessages).where(eq(emailMessages.to, consumer.email))).map((m) => m.template);
      expect(templates.filter((m) => m === "approved")).toHaveLength(approve.status === 200 ? 1 : 0);
      expect(templates.filter((m) => m === "cancelled")).toHaveLength(1);
    }
    for (let i = 0; i < 5; i++) {
      const { request, user, token } = await approvedRequest({ db: t.db, f, approver: admin, baseUrl: API_BASE_URL });
      const [claim, cancel] = await Promise.allSettled([
        claimKey(t.db, token, user.id, { prefix: "ptk", baseUrl: API_BASE_URL }),
        api.call(canceller, "POST", `/access-requests/${request.id}/cancel`, {}),
      ]);
      const cancelled = cancel.status === "fulfilled" && cancel.value.status === 200;
      expect(cancelled).toBe(claim.status === "rejected");
      const keys = await t.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.requestId, request.id));
      expect(keys).toHaveLength(cancelled ? 0 : 1);
      expect(await statusOf(request.id)).toBe(cancelled ? "cancelled" : "available");
    }
  });
});

describe("Recover since a time", () => {
  it("year 0000 is a field error, not a database error; 1970 and 9999 recover (all, or none)", async () => {
    const admin = userActor(await f.user("admin"));
    const { endpoint } = await createWebhookEndpoint(t.db, admin, { name: `Recover ${randomUUID().slice(0, 8)}`, url: "http://127.0.0.1:9/hooks", eventTypes: "all", productIds: "all" }, { allowHttp: true, allowPrivate: true });
    const form = recoverForm.safeParse({ id: endpoint.id, since: "0000-01-01T00:00" });
    expect(form.success).toBe(false);
    expect(form.error?.issues[0]).toMatchObject({ path: ["since"], message: "Enter a real date and time (UTC)." });
    const before = await snapshotTables(t.sql);
    await expect(recoverFailedDeliveries(t.db, admin, endpoint.id, new Date("0000-01-01T00:00:00Z"))).rejects.toMatchObject({ code: "invalid", fieldErrors: { since: expect.any(String) } });
    expect(await snapshotTables(t.sql)).toEqual(before);
    for (const since of ["1970-01-01T00:00", "9999-12-31T23:59"]) {
      const parsed = recoverForm.parse({ id: endpoint.id, since });
      expect(await recoverFailedDeliveries(t.db, admin, endpoint.id, parsed.since)).toBe(0);
    }
  });
});

describe("External hand-off to an endpoint that would not hear of the request", () => {
  it("an endpoint limited to other products, or no longer subscribed to access_request.created, hands nothing off: people decide and are emailed at once", async () => {
    for (const limits of [{ productIds: [f.product("invoices").id] }, { eventTypes: ["access_request.approved"] }]) {
      const [endpoint] = await t.db.insert(webhookEndpoints).values({ name: `Billing ${randomUUID().slice(0, 8)}`, url: "https://billing.example.com/hooks", secret: "sealed", ...limits }).returning();
      if (!endpoint) throw new Error("no endpoint");
      const [plan] = await t.db.insert(plans).values({ name: `External ${randomUUID().slice(0, 8)}`, handoffEndpointId: endpoint.id }).returning();
      if (!plan) throw new Error("no plan");
      await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
      const consumer = await f.user();
      await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
      const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Paid" }, {});
      expect(request.plan.handoff, JSON.stringify(limits)).toBeUndefined();
      const mails = (await t.db.select().from(emailMessages).where(eq(emailMessages.template, "new-request"))).filter((m) => JSON.stringify(m.props).includes(`/admin/requests/${request.id}`));
      expect(mails.length, JSON.stringify(limits)).toBeGreaterThan(0);
    }
  });
});
