import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { accessRequests, apiAccessKeys, plans, productPlans, products, users } from "@/db/schema";
import { createApiAccessKey, removeApiAccessKey, updateApiAccessKey } from "@/lib/api-access/manage";
import { type ApiKeyActor, userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { createPlan } from "@/lib/plans/create-plan";
import { createProduct } from "@/lib/products/create-product";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { changeRole, listUsers, setDisabled } from "@/lib/users/user-admin";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { checkToken } from "@/lib/api-access/tokens";
import { defineOperation, ok } from "./operation";
import { createApiRouter } from "./router";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
/** A token-shaped string with any protected header (the signature is junk: it must never get that far). */
const forged = (header: Record<string, unknown>) => `${b64(header)}.${b64({ jti: "x", iss: API_BASE_URL })}.${b64("sig")}`;

/** The key's actor as the router builds it (to call domain functions as the API will). */
async function actorOf(token: string): Promise<ApiKeyActor> {
  const check = await checkToken(t.db, token, { issuer: API_BASE_URL });
  if (!check.ok) throw new Error(check.reason);
  return check.actor;
}

/** A pending request for `productId` on a fresh plan needing two approvers. */
async function twoApproverRequest(productId: string) {
  const [plan] = await t.db
    .insert(plans)
    .values({ name: `Two approvers ${randomBytes(3).toString("hex")}`, autoApprove: false, approvalsRequired: 2, keyLifetimeDays: 30 })
    .returning();
  if (!plan) throw new Error("plan insert");
  await t.db.insert(productPlans).values({ productId, planId: plan.id });
  const u = await f.user();
  await addToCart(t.db, u.id, { productId, planId: plan.id });
  return submitRequest(t.db, { userId: u.id, baseUrl: API_BASE_URL }, { newAppName: "App", reason: "Because" }, {});
}

describe("adversary: forged tokens never reach a 500", () => {
  // HOLE: a `kid` with a NUL byte goes to Postgres as a text parameter; Postgres rejects it and checkToken throws (unauthenticated 500)
  it("a kid with a NUL byte is a 401", async () => {
    const r = await api.call(forged({ alg: "ES256", kid: "a\u0000b" }), "GET", "/products").catch((e: unknown) => ({ status: 500, thrown: String(e) }));
    expect(r.status).toBe(401);
  });

  it("(control) a kid that is an array is a 401", async () => {
    const r = await api.call(forged({ alg: "ES256", kid: ["x"] }), "GET", "/products").catch((e: unknown) => ({ status: 500, thrown: String(e) }));
    expect(r.status).toBe(401);
  });

  it("(control) a kid that is an object is a 401", async () => {
    const r = await api.call(forged({ alg: "ES256", kid: { $ne: null } }), "GET", "/products").catch((e: unknown) => ({ status: 500, thrown: String(e) }));
    expect(r.status).toBe(401);
  });
});

describe("adversary: odd input is a 4xx", () => {
  // HOLE: a well-formed cursor whose value holds a NUL byte reaches Postgres and the handler answers 500 (must be 422)
  it("a cursor with a NUL byte is a 422, not a 500", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    const r = await api.call(token, "GET", `/products?cursor=${b64({ v: "a\u0000", id: "x" })}`);
    expect(r.status).toBe(422);
  });
});

describe("adversary: Idempotency-Key", () => {
  // a POST whose query string changes what it does (as `?dryRun=…`, `?notify=…` would)
  let calls = 0;
  const echo = defineOperation({
    operationId: "echo",
    method: "POST",
    path: "/echo",
    tag: "Test",
    summary: "Echo",
    roles: ["portal_admin"],
    query: z.object({ mode: z.string().optional() }),
    body: z.object({ x: z.number() }),
    responses: { 200: { description: "Echo." } },
    handler: async ({ query, body }) => ok({ mode: query.mode ?? null, x: body.x, call: ++calls }),
  });
  const handle = createApiRouter([echo], () => ({ db: t.db, baseUrl: API_BASE_URL }));
  const post = (token: string, path: string, key: string) =>
    handle(
      new Request(`${API_BASE_URL}/api/v1${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ x: 1 }),
      }),
    );

  // HOLE: the fingerprint is method + path + body without the query string: another query with the same key replays the first answer instead of 422 (router.ts fingerprintOf(request.method, path, text))
  it("the same key with another query string answers 422, not the first answer", async () => {
    const { token } = await api.token([{ role: "portal_admin" }]);
    const key = randomBytes(8).toString("hex");
    const first = await post(token, "/echo?mode=dry-run", key);
    expect(first.status).toBe(200);
    const second = await post(token, "/echo?mode=for-real", key);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(second.status).toBe(422);
  });

  it("(control) one key's Idempotency-Key is not another key's: both run", async () => {
    const a = await api.token([{ role: "portal_admin" }]);
    const b = await api.token([{ role: "portal_admin" }]);
    const key = randomBytes(8).toString("hex");
    const ra = (await (await post(a.token, "/echo", key)).json()) as { call: number };
    const rb = (await (await post(b.token, "/echo", key)).json()) as { call: number };
    expect(rb.call).not.toBe(ra.call);
  });
});

describe("adversary: a key's approvals count toward N only while it may approve", () => {
  // HOLE: decide-requests.ts counts every service user's approval (`eq(users.kind, "service")`) even after Edit took product_approver away; a demoted person's approval stops counting
  it("an approval by a key later edited down to Product viewer no longer counts", async () => {
    const payments = f.product("payments");
    const req = await twoApproverRequest(payments.id);
    const { key, token, admin } = await api.token([{ role: "product_approver", products: [payments.id] }]);
    const first = await decideRequests(t.db, await actorOf(token), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(first[0]?.result).toBe("approval-recorded");
    await updateApiAccessKey(t.db, userActor(admin), { keyId: key.id, roles: [{ role: "product_viewer", products: [payments.id] }] });
    const second = await decideRequests(t.db, userActor(await f.user("admin")), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(second[0]?.result).toBe("approval-recorded");
  });

  // HOLE: an expired key's service user is never disabled (only Remove does that), so its approval keeps counting after the key expired
  it("an approval by a key that has since expired no longer counts", async () => {
    const payments = f.product("payments");
    const req = await twoApproverRequest(payments.id);
    const { key, token } = await api.token([{ role: "product_approver", products: [payments.id] }]);
    const first = await decideRequests(t.db, await actorOf(token), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(first[0]?.result).toBe("approval-recorded");
    await t.db.update(apiAccessKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiAccessKeys.id, key.id));
    expect((await api.call(token, "GET", "/products")).status).toBe(401);
    const second = await decideRequests(t.db, userActor(await f.user("admin")), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(second[0]?.result).toBe("approval-recorded");
  });
});

describe("adversary: the service user is nobody's product owner", () => {
  // HOLE: createProduct sets ownerId = actor.id, so a Portal admin key's product is owned by its service user (role consumer): no person owns it, no owner is emailed or decides, and after Remove its owner is a disabled service user
  it("a product created by a Portal admin key is not owned by the key's service user", async () => {
    const { token } = await api.token([{ role: "portal_admin" }]);
    const actor = await actorOf(token);
    const slug = `adv-${randomBytes(3).toString("hex")}`;
    const product = await createProduct(t.db, actor, { name: `Adv ${slug}`, slug, summary: "S", description: "D", tags: [], authMethod: "api_key", planIds: [] });
    const [owner] = await t.db.select({ kind: users.kind }).from(products).innerJoin(users, eq(users.id, products.ownerId)).where(eq(products.id, product.id));
    expect(owner?.kind).toBe("person");
  });
});

describe("adversary: the service user is nobody's plan owner", () => {
  // HOLE: createPlan sets ownerId = actor.id, so a plan made by a Portal admin key is owned by its service user (role consumer): an auto-approving plan then never auto-approves ("The plan's owner does not own …")
  it("an auto-approving plan created by a Portal admin key approves automatically", async () => {
    const { token } = await api.token([{ role: "portal_admin" }]);
    const plan = await createPlan(t.db, await actorOf(token), {
      name: `Auto ${randomBytes(3).toString("hex")}`,
      description: "",
      autoApprove: "true",
      approvalsRequired: "1",
      keyLifetime: "180",
      customKeyLifetimeDays: "",
      claimLinkLifetimeHours: "72",
      rateLimitPerMinute: "",
      quotaPerMonth: "",
      reviewRequired: "false",
      reviewCommentRequired: "false",
      requestFields: "[]",
    });
    const payments = f.product("payments");
    await t.db.insert(productPlans).values({ productId: payments.id, planId: plan.id });
    const u = await f.user();
    await addToCart(t.db, u.id, { productId: payments.id, planId: plan.id });
    const req = await submitRequest(t.db, { userId: u.id, baseUrl: API_BASE_URL }, { newAppName: "App", reason: "Because" }, {});
    const [row] = await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.status).not.toBe("pending");
  });
});

describe("adversary: one person is not two approvers", () => {
  // HOLE: an admin approves as a person and again through a key they created: two "distinct approvers" from one human meet a plan's "two approvers must agree"
  it("an admin's own key does not count as a second approver of a request the admin approved", async () => {
    const payments = f.product("payments");
    const req = await twoApproverRequest(payments.id);
    const { token, admin } = await api.token([{ role: "product_approver", products: [payments.id] }]);
    const first = await decideRequests(t.db, userActor(admin), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(first[0]?.result).toBe("approval-recorded");
    const second = await decideRequests(t.db, await actorOf(token), { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL });
    expect(second[0]?.result).toBe("approval-recorded");
  });
});

describe("adversary: controls (holes tried and found closed)", () => {
  it("query keys like __proto__ and constructor are a 200 or 422, never a 500", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    for (const q of ["__proto__=a&__proto__=b", "constructor=x", "limit=1&limit=2", "limit=1e3", "status[]=draft", "cursor="]) {
      const r = await api.call(token, "GET", `/products?${q}`);
      expect([200, 422], q).toContain(r.status);
    }
  });

  it("alg none, HS256 keyed with the public key, an embedded jwk, an SQL/path kid, a tampered or huge token: all 401", async () => {
    const { SignJWT, generateKeyPair, exportJWK } = await import("jose");
    const { token } = await api.token([{ role: "portal_admin" }]);
    const [h, p] = token.split(".");
    const header = JSON.parse(Buffer.from(h ?? "", "base64url").toString()) as { kid: string };
    const payload = JSON.parse(Buffer.from(p ?? "", "base64url").toString()) as Record<string, unknown>;
    const [pub] = await t.db.execute<{ public_jwk: Record<string, unknown> }>(sql`select public_jwk from portal_signing_keys where kid = ${header.kid}`);
    const attempts: string[] = [];
    attempts.push(`${b64({ alg: "none", kid: header.kid })}.${p}.`);
    attempts.push(`${b64({ alg: "none", kid: header.kid })}.${p}.x`);
    attempts.push(await new SignJWT(payload).setProtectedHeader({ alg: "HS256", kid: header.kid }).sign(new TextEncoder().encode(JSON.stringify(pub?.public_jwk))));
    const mine = await generateKeyPair("ES256", { extractable: true });
    attempts.push(await new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid: header.kid, jwk: await exportJWK(mine.publicKey) }).sign(mine.privateKey));
    attempts.push(await new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid: "../../etc/passwd' or 1=1 --" }).sign(mine.privateKey));
    attempts.push(`${token}x`);
    attempts.push(`${h}.${p}.${"A".repeat(5000)}`);
    for (const a of attempts) expect((await api.call(a, "GET", "/products")).status, a.slice(0, 60)).toBe(401);
  });
  it("a Portal admin key cannot mint, edit or remove API access keys", async () => {
    const { key, token } = await api.token([{ role: "portal_admin" }]);
    const actor = await actorOf(token);
    const refused = (p: Promise<unknown>) => p.then(() => "done", (e: unknown) => String(e));
    expect(await refused(createApiAccessKey(t.db, actor, { name: `child ${randomBytes(3).toString("hex")}`, expiry: "30d", roles: [{ role: "portal_admin" }], issuer: API_BASE_URL }))).toMatch(/Only an admin/);
    expect(await refused(updateApiAccessKey(t.db, actor, { keyId: key.id, roles: [{ role: "portal_admin" }] }))).toMatch(/Only an admin/);
    expect(await refused(removeApiAccessKey(t.db, actor, { keyId: key.id }))).toMatch(/Only an admin/);
  });

  it("a Product viewer cannot approve; a key approving twice counts once", async () => {
    const payments = f.product("payments");
    const req = await twoApproverRequest(payments.id);
    const viewer = await actorOf((await api.token([{ role: "product_viewer", products: [payments.id] }])).token);
    const refused = await decideRequests(t.db, viewer, { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL }).then(() => "done", (e: unknown) => String(e));
    expect(refused).not.toBe("done");
    const approver = await actorOf((await api.token([{ role: "product_approver", products: [payments.id] }])).token);
    expect((await decideRequests(t.db, approver, { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL }))[0]?.result).toBe("approval-recorded");
    expect((await decideRequests(t.db, approver, { requestIds: [req.id], decision: "approve", baseUrl: API_BASE_URL }))[0]?.result).toBe("already-approved-by-you");
  });

  it("the service user is not in the admin user list and changeRole / setDisabled cannot touch it", async () => {
    const { key, admin } = await api.token([{ role: "product_viewer", products: "all" }]);
    const listed = await listUsers(t.db, { q: "api-key" });
    expect(JSON.stringify(listed)).not.toContain(key.serviceUserId);
    const refused = (p: Promise<unknown>) => p.then(() => "done", (e: unknown) => String(e));
    expect(await refused(changeRole(t.db, userActor(admin), { userId: key.serviceUserId, role: "admin" }))).not.toBe("done");
    expect(await refused(setDisabled(t.db, userActor(admin), { userId: key.serviceUserId, disabled: true, baseUrl: API_BASE_URL }))).not.toBe("done");
    const [row] = await t.db.select().from(users).where(eq(users.id, key.serviceUserId));
    expect(row).toMatchObject({ role: "consumer", disabledAt: null, kind: "service" });
  });
});
