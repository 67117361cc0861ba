import { randomBytes } from "node:crypto";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { addDays } from "date-fns/addDays";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessRequests, plans, productPlans, products, sessions, verificationTokens, webhookDeliveries, webhookEvents } from "@/db/schema";
import { apiDocument } from "@/lib/api/document";
import { operations } from "@/lib/api/operations";
import { type Actor, userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { claimCredential, claimKey } from "@/lib/keys/claim-key";
import { checkInRequest, expireDueKeys, revokeRequests, rollKey } from "@/lib/keys/key-lifecycle";
import { sendReminderDigests } from "@/lib/keys/reminders";
import { endClient } from "@/lib/oauth/client-lifecycle";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { decideRequests } from "@/lib/requests/decide-requests";
import { expireUnclaimedRequests } from "@/lib/requests/expire-unclaimed";
import { extendRequest } from "@/lib/requests/extend-request";
import { cancelRequest } from "@/lib/requests/requester-actions";
import { submitRequest } from "@/lib/requests/submit-request";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest, latestClaimToken } from "@/tests/requests";
import { type Received, startWebhookReceiver } from "@/tests/webhook-receiver";
import { deliverWebhook } from "./deliver";
import { webhookEventTypes } from "./event-types";
import { createWebhookEndpoint, sendTestEvent, setWebhookEndpointEnabled } from "./manage";
import { webhookMessageTypes } from "./payload-schema";

/**
 * Every event type, driven through the real domain functions, delivered by deliverWebhook to a
 * receiver that verifies with `standardwebhooks`, and validated against the JSON Schema the OpenAPI
 * document publishes under `webhooks` (Ajv, draft 2020-12, with every object closed so a field the
 * document does not describe fails too). No payload carries a secret made in this file.
 */

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const api = apiHarness(t.db, f);
const baseUrl = API_BASE_URL;
const prefix = "ptk";
const open = { allowHttp: true, allowPrivate: true };
const deliverOpts = { baseUrl, policy: open, delays: [0, 0, 0, 0, 0, 0, 0, 0] };

// ---- the published document, as a receiver's validator reads it ----------------------------------

type Json = Record<string, unknown>;
const doc = JSON.parse(JSON.stringify(apiDocument(operations, baseUrl))) as {
  webhooks: Record<string, { post: { parameters: { name: string; in: string; required: boolean; schema: Json }[]; requestBody: { content: Record<string, { schema: Json }> } } }>;
  components: { schemas: Record<string, Json> };
};
const COMPONENT = "#/components/schemas/";
const ID = "urn:portico:webhooks:";
/** Refs to Ajv ids, and every object schema closed (additionalProperties: false): the document must name every field sent. */
function strict(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strict);
  if (!value || typeof value !== "object") return value;
  const o = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith(COMPONENT) ? ID + v.slice(COMPONENT.length) : strict(v)]),
  ) as Json;
  if (o.type === "object" && o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
  return o;
}
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(strict(schema) as Json, ID + name);
const validators = new Map<string, ValidateFunction>();
function published(type: string) {
  let v = validators.get(type);
  if (!v) {
    const schema = doc.webhooks[type]?.post.requestBody.content["application/json"]?.schema;
    if (!schema) throw new Error(`the document publishes no webhook ${type}`);
    v = ajv.compile(strict(schema) as Json);
    validators.set(type, v);
  }
  return v;
}

// ---- secrets this file makes: none may appear in any payload ---------------------------------------

const secrets = new Set<string>();
const keep = <T extends string>(s: T) => {
  secrets.add(s);
  return s;
};
const SECRET_PATTERNS = [
  /ptk_[A-Za-z0-9]{30,}/, // a key's plaintext (DESIGN.md §4 key format)
  /\/claim\//, // a claim link
  /eyJ[\w-]{8,}\.[\w-]{8,}\./, // a JWT (API access token)
  /whsec_/, // a signing secret
  /pcs_[A-Za-z0-9_-]{20,}/, // an OAuth client secret (lib/oauth/clients.ts)
  /"(plaintext|token|tokenHash|keyHash|claimUrl|secret|clientSecret|secretHash|sessionToken)"/, // fields that would hold one
];

const checked = new Set<string>();
/** (a) verified with standardwebhooks, (b) valid against the published schema and headers, (c) no secret. */
function check(m: Received) {
  expect(m.verified, `${m.type} verifies`).toBe(true);
  const v = published(m.type);
  expect(v(m.body) ? [] : v.errors, `${m.type} matches the published schema`).toEqual([]);
  for (const p of doc.webhooks[m.type]?.post.parameters ?? []) {
    const value = m.headers[p.name];
    expect(typeof value, `${m.type} header ${p.name}`).toBe("string");
    expect(ajv.validate(p.schema, value), `${m.type} header ${p.name}: ${JSON.stringify(ajv.errors)}`).toBe(true);
  }
  expect(m.body.id).toBe(m.headers["webhook-id"]);
  for (const s of secrets) expect(m.raw.includes(s), `${m.type} carries a secret`).toBe(false);
  for (const p of SECRET_PATTERNS) expect(m.raw, `${m.type} matches ${p}`).not.toMatch(p);
  checked.add(m.type);
}

// ---- endpoints --------------------------------------------------------------------------------------

const everything = await startWebhookReceiver();
const keysOnly = await startWebhookReceiver();
const paymentsOnly = await startWebhookReceiver();
const switchedOff = await startWebhookReceiver();
afterAll(async () => {
  for (const r of [everything, keysOnly, paymentsOnly, switchedOff]) await r.close();
});
let admin: Actor;
let everythingId: string;
let switchedOffId: string;

async function endpoint(r: typeof everything, name: string, eventTypes: "all" | string[], productIds: "all" | string[]) {
  const { endpoint, secret } = await createWebhookEndpoint(t.db, admin, { name, url: r.url, eventTypes, productIds }, open);
  r.setSecret(keep(secret));
  return endpoint.id;
}

/** Runs every due delivery once, as the worker's jobs would. */
async function runDue() {
  const due = await t.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(sql`${webhookDeliveries.status} = 'pending' and ${webhookDeliveries.nextAttemptAt} <= now()`);
  for (const d of due) await deliverWebhook(t.db, d.id, deliverOpts);
}

type Data = { request?: { id: string; status: string }; key?: { id: string; start: string; endReason: string | null; endsAt: string | null; replacedBy: { id: string; start: string } | null }; product?: { id: string }; [k: string]: unknown };
const dataOf = (m: Received) => m.body.data as Data;
const about = (r: typeof everything, type: string, requestId: string) => r.ofType(type).filter((m) => dataOf(m).request?.id === requestId);

/** The one message of `type` about the request that the all-events endpoint received, checked. */
async function one(type: string, requestId: string) {
  await runDue();
  const got = about(everything, type, requestId);
  expect(got, `${type} for ${requestId}`).toHaveLength(1);
  const [m] = got;
  if (!m) throw new Error("unreachable");
  check(m);
  return m;
}

async function submit(slugs: string[], plan = "Standard", answers: Record<string, string> = {}) {
  const u = await f.user();
  for (const slug of slugs) await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan(plan).id });
  const request = await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Events app", reason: "Because" }, answers);
  return { user: u, request };
}

async function claim(ctx: { user: { id: string }; request: { id: string } }) {
  const token = keep(await latestClaimToken(t.db, ctx.request.id, baseUrl));
  keep(`${baseUrl}/claim/${token}`);
  const { plaintext, key } = await claimKey(t.db, token, ctx.user.id, { prefix, baseUrl });
  keep(plaintext);
  return key;
}

beforeAll(async () => {
  admin = userActor(await f.user("admin"));
  everythingId = await endpoint(everything, "Everything", "all", "all");
  await endpoint(
    keysOnly,
    "Keys only",
    webhookEventTypes.filter((e) => e.startsWith("key.")),
    "all",
  );
  await endpoint(paymentsOnly, "Payments only", "all", [f.product("payments").id]);
  switchedOffId = await endpoint(switchedOff, "Switched off", "all", "all");
  await setWebhookEndpointEnabled(t.db, admin, switchedOffId, false);
});

describe("every lifecycle change posts its event, as the OpenAPI document publishes it", () => {
  it("submit, one approval of two (a person), the second (an API key), claim, roll, check in", async () => {
    const { user, request } = await submit(["payments"], "Enterprise", { company: "Acme", environment: "Sandbox" });
    // secrets of the consumer that must never reach a payload: a session and a pending sign-in
    const session = keep(randomBytes(32).toString("hex"));
    await t.db.insert(sessions).values({ sessionToken: session, userId: user.id, expires: addDays(new Date(), 30) });
    await t.db.insert(verificationTokens).values({ identifier: user.email, token: keep(randomBytes(32).toString("hex")), expires: addDays(new Date(), 1) });

    const created = await one("access_request.created", request.id);
    expect(dataOf(created)).toMatchObject({
      request: { status: "pending", reason: "Because" },
      app: { name: "Events app" },
      consumer: { id: user.id, email: user.email, name: user.name },
      products: [{ slug: "payments", revoked: false }],
      plan: { name: "Enterprise" },
      actor: { type: "user", id: user.id, email: user.email },
    });

    const owner = await f.owner();
    await decideRequests(t.db, userActor(owner), { requestIds: [request.id], decision: "approve", comment: "Fine by me", baseUrl });
    const recorded = await one("access_request.approval_recorded", request.id);
    expect(dataOf(recorded)).toMatchObject({ request: { status: "pending" }, actor: { type: "user", id: owner.id }, comment: "Fine by me" });

    const { key, token } = await api.token([{ role: "product_approver", products: [f.product("payments").id] }], "Billing sync");
    keep(token);
    expect((await api.call(token, "POST", `/access-requests/${request.id}/approve`, {})).status).toBe(200);
    const approved = await one("access_request.approved", request.id);
    expect(dataOf(approved)).toMatchObject({ request: { status: "approved" }, actor: { type: "api_key", id: key.id, name: "Billing sync", email: null } });

    const issued = await claim({ user, request });
    const createdKey = await one("key.created", request.id);
    expect(dataOf(createdKey)).toMatchObject({ key: { id: issued.id, start: issued.start, endReason: null, endsAt: null, replacedBy: null }, request: { status: "available" } });

    const rolled = await rollKey(t.db, user.id, { requestId: request.id, keyId: issued.id }, { prefix, graceHours: 24, baseUrl });
    keep(rolled.plaintext);
    const rolledMsg = await one("key.rolled", request.id);
    expect(dataOf(rolledMsg).key).toMatchObject({ id: issued.id, endReason: "rolled", endsAt: rolled.oldKeyEndsAt.toISOString(), replacedBy: { id: rolled.key.id, start: rolled.key.start } });
    // the new key is a key.created of its own
    const issuedKeys = about(everything, "key.created", request.id).map((m) => dataOf(m).key?.id);
    expect(issuedKeys).toEqual([issued.id, rolled.key.id]);

    await checkInRequest(t.db, user.id, request.id);
    const completed = await one("access_request.completed", request.id);
    expect(dataOf(completed)).toMatchObject({ request: { status: "completed" }, actor: { type: "user", id: user.id } });

    // the key-only endpoint got the key events of this request, and nothing else about it
    expect(
      [...keysOnly.unique.values()]
        .filter((m) => dataOf(m).request?.id === request.id)
        .map((m) => m.type)
        .sort(),
    ).toEqual(["key.created", "key.created", "key.rolled"]);
    for (const m of keysOnly.unique.values()) check(m);
  });

  it("an extension approved: access_request.extended about the extended request, the same key expiring later", async () => {
    const { user, request } = await submit(["payments"]);
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", baseUrl });
    const issued = await claim({ user, request });
    const { extension } = await extendRequest(t.db, userActor(user), { requestId: request.id, reason: "Longer pilot" }, { baseUrl });
    await decideRequests(t.db, admin, { requestIds: [extension.id], decision: "approve", baseUrl });
    const extended = await one("access_request.extended", request.id);
    expect(dataOf(extended)).toMatchObject({ request: { id: request.id, status: "available" }, actor: { type: "user", id: admin.id } });
    expect(issued.expiresAt).not.toBeNull();
  });

  it("deny (with its reason) and cancel by the requester", async () => {
    const denied = await submit(["payments"]);
    await decideRequests(t.db, admin, { requestIds: [denied.request.id], decision: "deny", comment: "Not for this app", baseUrl });
    expect(dataOf(await one("access_request.denied", denied.request.id))).toMatchObject({ request: { status: "denied" }, comment: "Not for this app", actor: { type: "user", id: admin.id } });

    const cancelled = await submit(["payments"]);
    await cancelRequest(t.db, cancelled.user.id, cancelled.request.id);
    expect(dataOf(await one("access_request.cancelled", cancelled.request.id))).toMatchObject({ request: { status: "cancelled" }, actor: { id: cancelled.user.id } });
  });

  it("an auto-approve plan: created, then approved by auto-approve", async () => {
    const { request } = await submit(["weather"], "Free");
    expect(dataOf(await one("access_request.created", request.id))).toMatchObject({ plan: { name: "Free" } });
    expect(dataOf(await one("access_request.approved", request.id))).toMatchObject({ request: { status: "approved" }, actor: { type: "system", id: null, name: "auto-approve" } });
  });

  it("revoke: the request and each key it stopped", async () => {
    const r = await approvedRequest({ db: t.db, f, approver: admin, baseUrl });
    keep(r.token);
    const k = await claim(r);
    await revokeRequests(t.db, admin, { requestIds: [r.request.id], reason: "Leaked in a public repo", baseUrl });
    expect(dataOf(await one("access_request.revoked", r.request.id))).toMatchObject({ request: { status: "revoked" }, comment: "Leaked in a public repo", products: [{ revoked: true }] });
    expect(dataOf(await one("key.revoked", r.request.id)).key).toMatchObject({ id: k.id, endReason: "revoked" });
  });

  it("an OAuth 2.0 product: claiming creates a client (oauth_client.created), revoking it posts oauth_client.revoked", async () => {
    const r = await approvedRequest({ db: t.db, f, approver: admin, baseUrl }, { slugs: ["identity"] });
    keep(r.token);
    const claimed = await claimCredential(t.db, r.token, r.user.id, { prefix, baseUrl });
    if (claimed.kind !== "oauth_client") throw new Error("identity is an OAuth 2.0 product");
    keep(claimed.clientSecret);
    const created = dataOf(await one("oauth_client.created", r.request.id));
    expect(created).toMatchObject({
      client: { id: claimed.client.id, clientId: claimed.clientId, authMethod: "client_secret", endsAt: null, endReason: null },
      request: { status: "available" },
      products: [{ slug: "identity" }],
      actor: { type: "user", id: r.user.id },
    });
    await endClient(t.db, r.user.id, { id: claimed.client.id, reason: "revoked", comment: "Leaked in a log" });
    const revoked = dataOf(await one("oauth_client.revoked", r.request.id));
    expect(revoked).toMatchObject({ client: { id: claimed.client.id, clientId: claimed.clientId, endReason: "revoked" }, comment: "Leaked in a log" });
    expect(revoked.client).toHaveProperty("endsAt", expect.any(String));
    // A key-only endpoint hears nothing of a client.
    expect([...keysOnly.unique.values()].filter((m) => dataOf(m).request?.id === r.request.id)).toEqual([]);
  });

  it("revoking an OAuth 2.0 product's request revokes its client: oauth_client.revoked, as key.revoked for a key", async () => {
    const r = await approvedRequest({ db: t.db, f, approver: admin, baseUrl }, { slugs: ["identity"] });
    keep(r.token);
    const claimed = await claimCredential(t.db, r.token, r.user.id, { prefix, baseUrl });
    if (claimed.kind !== "oauth_client") throw new Error("identity is an OAuth 2.0 product");
    keep(claimed.clientSecret);
    await revokeRequests(t.db, admin, { requestIds: [r.request.id], reason: "Leaked in a public repo", baseUrl });
    expect(dataOf(await one("access_request.revoked", r.request.id))).toMatchObject({ request: { status: "revoked" } });
    const revoked = dataOf(await one("oauth_client.revoked", r.request.id));
    expect(revoked).toMatchObject({ client: { id: claimed.client.id, clientId: claimed.clientId, endReason: "revoked" }, comment: "Leaked in a public repo" });
    expect(revoked.client).toHaveProperty("endsAt", expect.any(String));
  });

  it("the clock: a key reminded of its expiry, then expired; an approval whose window passed unclaimed", async () => {
    const r = await approvedRequest({ db: t.db, f, approver: admin, baseUrl }, { durationDays: 3 });
    const k = await claim(r);
    const now = new Date();
    expect((await sendReminderDigests(t.db, baseUrl, addDays(now, 2))).reminders).toBeGreaterThanOrEqual(1);
    const expiring = await one("key.expiring", r.request.id);
    expect(dataOf(expiring)).toMatchObject({ key: { id: k.id, endReason: null }, actor: { type: "system", id: null, name: "Portico" } });

    expect(await expireDueKeys(t.db, baseUrl, addDays(now, 4))).toBeGreaterThanOrEqual(1);
    expect(dataOf(await one("access_request.expired", r.request.id))).toMatchObject({ request: { status: "expired" }, actor: { type: "system" } });
    expect(dataOf(await one("key.expired", r.request.id)).key).toMatchObject({ id: k.id, endReason: "expired" });

    const unclaimed = await approvedRequest({ db: t.db, f, approver: admin, baseUrl }, { durationDays: 1 });
    expect(await expireUnclaimedRequests(t.db, baseUrl, addDays(now, 2))).toBeGreaterThanOrEqual(1);
    expect(dataOf(await one("access_request.expired", unclaimed.request.id))).toMatchObject({ request: { status: "expired" } });
    expect(everything.ofType("key.expired").filter((m) => dataOf(m).request?.id === unclaimed.request.id)).toEqual([]);
  });

  it("publish and unpublish a product", async () => {
    const ledger = f.product("ledger-beta");
    await changeProductStatus(t.db, admin, ledger.id, "publish");
    await runDue();
    const pub = everything.ofType("product.published").filter((m) => dataOf(m).product?.id === ledger.id);
    expect(pub).toHaveLength(1);
    for (const m of pub) check(m);
    expect(dataOf(pub[0] as Received)).toMatchObject({ product: { slug: "ledger-beta", status: "published" }, actor: { type: "user", id: admin.id } });

    await changeProductStatus(t.db, admin, ledger.id, "unpublish");
    await runDue();
    const unpub = everything.ofType("product.unpublished").filter((m) => dataOf(m).product?.id === ledger.id);
    expect(unpub).toHaveLength(1);
    for (const m of unpub) check(m);
    expect(dataOf(unpub[0] as Received).product).toMatchObject({ status: "draft" });
    // limited to payments: nothing about another product
    expect([...paymentsOnly.unique.values()].filter((m) => dataOf(m).product?.id === ledger.id)).toEqual([]);
  });

  it("an owner revoking only their product of a mixed request: access_request.part_revoked naming it; the key still works for the rest", async () => {
    const invoicesOwner = await f.user("owner");
    await t.db.update(products).set({ ownerId: invoicesOwner.id }).where(eq(products.id, f.product("invoices").id));
    const r = await approvedRequest({ db: t.db, f, approver: admin, baseUrl }, { slugs: ["payments", "invoices"] });
    await claim(r);
    const out = await revokeRequests(t.db, userActor(invoicesOwner), { requestIds: [r.request.id], reason: "Invoices closed to this app", baseUrl });
    expect(out.partlyRevoked).toEqual([r.request.id]);
    const part = dataOf(await one("access_request.part_revoked", r.request.id));
    expect(part).toMatchObject({
      request: { status: "available" },
      revokedProducts: [{ slug: "invoices" }],
      comment: "Invoices closed to this app",
      actor: { type: "user", id: invoicesOwner.id },
    });
    expect((part.products as { slug: string; revoked: boolean }[]).map((p) => [p.slug, p.revoked]).sort()).toEqual([
      ["invoices", true],
      ["payments", false],
    ]);
    expect(about(everything, "access_request.revoked", r.request.id)).toEqual([]);
    expect(about(everything, "key.revoked", r.request.id)).toEqual([]);
    // the request also holds payments, so the payments-only endpoint hears of it
    expect(about(paymentsOnly, "access_request.part_revoked", r.request.id)).toHaveLength(1);
  });

  it("archiving a product with revoke: a request only for it is revoked, a mixed one loses that part (request.product_revoked)", async () => {
    const ctx = { db: t.db, f, approver: admin, baseUrl };
    const only = await approvedRequest(ctx, { slugs: ["geocoding"] });
    await claim(only);
    const mixed = await approvedRequest(ctx, { slugs: ["geocoding", "notifications"] });
    await claim(mixed);
    await changeProductStatus(t.db, admin, f.product("geocoding").id, "archive", { revokeKeys: true, baseUrl });
    expect(dataOf(await one("access_request.revoked", only.request.id))).toMatchObject({ request: { status: "revoked" } });
    expect(dataOf(await one("key.revoked", only.request.id)).key).toMatchObject({ endReason: "revoked" });
    expect(dataOf(await one("access_request.part_revoked", mixed.request.id))).toMatchObject({ request: { status: "available" }, revokedProducts: [{ slug: "geocoding" }] });
    expect(about(everything, "key.revoked", mixed.request.id)).toEqual([]);
  });

  it("the published access_request.created allows the hand-off of an External plan, and only in its shape", async () => {
    const v = published("access_request.created");
    const [m] = everything.ofType("access_request.created");
    const body = structuredClone(m?.body) as { data: Record<string, unknown> };
    body.data.handoff = { endpointId: "wh_1", endpointName: "Billing", timeoutAt: new Date().toISOString(), fellBackAt: null };
    expect(v(body) ? [] : v.errors).toEqual([]);
    body.data.handoff = { endpointId: "wh_1", endpointName: "Billing", timeoutAt: "in three days", fellBackAt: null };
    expect(v(body)).toBe(false);
  });

  it("a request on an External plan carries its hand-off, in the published shape, on every request event", async () => {
    const [plan] = await t.db.insert(plans).values({ name: `External ${randomBytes(4).toString("hex")}`, handoffEndpointId: everythingId, handoffTimeoutHours: 48 }).returning();
    if (!plan) throw new Error("no plan");
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const u = await f.user();
    await addToCart(t.db, u.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Paid app", reason: "Paid plan" }, {});
    const created = await one("access_request.created", request.id);
    expect(dataOf(created).handoff).toMatchObject({ endpointId: everythingId, fellBackAt: null });
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "deny", comment: "Not paid", baseUrl });
    const denied = await one("access_request.denied", request.id);
    expect(dataOf(denied).handoff).toMatchObject({ endpointId: everythingId });
  });

  it("webhook.test, sent by Send test event", async () => {
    const { eventId } = await sendTestEvent(t.db, admin, everythingId);
    await runDue();
    const m = everything.unique.get(eventId);
    expect(m?.type).toBe("webhook.test");
    check(m as Received);
  });

  it("checked every published message type, and the document publishes exactly those", () => {
    expect([...checked].sort()).toEqual([...webhookMessageTypes].sort());
    expect(Object.keys(doc.webhooks).sort()).toEqual([...webhookMessageTypes].sort());
  });
});

describe("who hears what", () => {
  it("an endpoint limited to payments hears of a request for payments, or for payments and invoices, never one only for invoices", async () => {
    const onlyB = await submit(["invoices"]);
    const mixed = await submit(["payments", "invoices"]);
    await runDue();
    expect(about(everything, "access_request.created", onlyB.request.id)).toHaveLength(1);
    expect(about(paymentsOnly, "access_request.created", onlyB.request.id)).toEqual([]);
    const [m] = about(paymentsOnly, "access_request.created", mixed.request.id);
    expect(m).toBeDefined();
    check(m as Received);
  });

  it("an endpoint subscribed to key events hears no request or product event", () => {
    expect([...keysOnly.unique.values()].filter((m) => !m.type.startsWith("key."))).toEqual([]);
    expect(keysOnly.unique.size).toBeGreaterThan(0);
  });

  it("a disabled endpoint gets nothing: no delivery is even written for it", async () => {
    expect(switchedOff.attempts).toEqual([]);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, switchedOffId))).toEqual([]);
  });

  it("a change rolled back emits nothing; the same change committed does", async () => {
    const weather = f.product("weather");
    await changeProductStatus(t.db, admin, weather.id, "unpublish");
    const eventsAbout = () => t.db.select({ id: webhookEvents.id }).from(webhookEvents).where(sql`${webhookEvents.body}::jsonb #>> '{data,product,id}' = ${weather.id} and ${webhookEvents.type} = 'product.published'`);
    await t.db
      .transaction(async (tx) => {
        await changeProductStatus(tx, admin, weather.id, "publish");
        expect(await eventsAbout()).toEqual([]); // not visible outside the transaction
        throw new Error("rolled back");
      })
      .catch(() => {});
    expect(await eventsAbout()).toEqual([]);
    const [row] = await t.db.select({ status: products.status }).from(products).where(eq(products.id, weather.id));
    expect(row?.status).toBe("draft");
    await changeProductStatus(t.db, admin, weather.id, "publish");
    expect(await eventsAbout()).toHaveLength(1);
  });

  it("a request's state in each event is its state after the change, read in the change's transaction", async () => {
    const { request } = await submit(["payments"]);
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", baseUrl });
    await runDue();
    const [row] = await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(dataOf(about(everything, "access_request.approved", request.id)[0] as Received).request?.status).toBe(row?.status);
  });
});
