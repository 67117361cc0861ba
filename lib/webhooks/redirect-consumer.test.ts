import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailMessages, plans, productPlans } from "@/db/schema";
import { currentSigningKey } from "@/lib/api-access/signing-keys";
import { checkToken } from "@/lib/api-access/tokens";
import { addToCart } from "@/lib/cart/cart-store";
import { cancelRequest } from "@/lib/requests/requester-actions";
import { submitRequest } from "@/lib/requests/submit-request";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { REFERENCE_LIFETIME_SECONDS, REFERENCE_TYPE, handoffUrl, mintHandoffReference, referenceAudience, verifyHandoffReference } from "./handoff-reference";
import { consumerRedirect } from "./redirect-consumer";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
});

const ids = { requestId: crypto.randomUUID(), appId: crypto.randomUUID(), planId: crypto.randomUUID() };
const verify = (token: string, now?: Date) => verifyHandoffReference(t.db, token, { issuer: API_BASE_URL, now });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

describe("the signed hand-off reference", () => {
  it("names the request, its app and plan, carries no secret, and verifies for 24 hours only", async () => {
    const now = new Date("2026-12-01T10:00:00Z");
    const token = await mintHandoffReference(t.db, { ...ids, issuer: API_BASE_URL, now });
    expect(Object.keys(claims(token)).sort()).toEqual(["app", "aud", "exp", "iat", "iss", "plan", "sub"]);
    expect(REFERENCE_LIFETIME_SECONDS).toBe(24 * 60 * 60);

    const ok = await verify(token, new Date(now.getTime() + REFERENCE_LIFETIME_SECONDS * 1000 - 1000));
    expect(ok).toEqual({ ok: true, reference: { ...ids, expiresAt: new Date(now.getTime() + REFERENCE_LIFETIME_SECONDS * 1000) } });
    expect(await verify(token, new Date(now.getTime() + REFERENCE_LIFETIME_SECONDS * 1000 + 1000))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a tampered reference, another audience, type or issuer, and garbage", async () => {
    const token = await mintHandoffReference(t.db, { ...ids, issuer: API_BASE_URL });
    const [header, , signature] = token.split(".");
    // another request's id under the original signature
    const forged = `${header}.${b64({ ...claims(token), sub: crypto.randomUUID() })}.${signature}`;
    expect(await verify(forged)).toEqual({ ok: false, reason: "invalid" });
    // a forged one that also claims to be expired is still only "invalid" (the signature comes first)
    expect(await verify(`${header}.${b64({ ...claims(token), exp: 1 })}.${signature}`)).toEqual({ ok: false, reason: "invalid" });

    // signed by the portal's own key, but for other uses
    const { kid, key } = await currentSigningKey(t.db);
    const sign = (typ: string, aud: string, iss = API_BASE_URL) =>
      new SignJWT({ app: ids.appId, plan: ids.planId })
        .setProtectedHeader({ alg: "ES256", kid, typ })
        .setSubject(ids.requestId)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(key);
    expect(await verify(await sign(REFERENCE_TYPE, `${API_BASE_URL}/api/v1`))).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(await sign("JWT", referenceAudience(API_BASE_URL)))).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(await sign(REFERENCE_TYPE, referenceAudience("https://other.example"), "https://other.example"))).toEqual({ ok: false, reason: "invalid" });
    // the control: the same signer with the right type and audience passes
    expect((await verify(await sign(REFERENCE_TYPE, referenceAudience(API_BASE_URL)))).ok).toBe(true);

    for (const junk of ["", "abc", "a.b.c", `${token}x`, "x".repeat(5000)]) expect((await verify(junk)).ok).toBe(false);
  });

  it("is never an API access token, and an API access token is never a reference", async () => {
    const api = apiHarness(t.db, f);
    const { token: accessToken } = await api.token([{ role: "portal_admin" }]);
    expect(await verify(accessToken)).toEqual({ ok: false, reason: "invalid" });
    const reference = await mintHandoffReference(t.db, { ...ids, issuer: API_BASE_URL });
    expect((await checkToken(t.db, reference, { issuer: API_BASE_URL })).ok).toBe(false);
    expect((await api.call(reference, "GET", "/products")).status).toBe(401);
  });

  it("is added to the plan's URL, keeping its own query and fragment", () => {
    const url = new URL(handoffUrl("https://billing.example/checkout?sku=gold&portico_request=spoof#pay", "a.b.c", "r-1"));
    expect(url.origin + url.pathname).toBe("https://billing.example/checkout");
    expect(url.searchParams.get("sku")).toBe("gold");
    expect(url.searchParams.getAll("portico_request")).toEqual(["r-1"]);
    expect(url.searchParams.get("portico_reference")).toBe("a.b.c");
    expect(url.hash).toBe("#pay");
  });
});

/** A new plan on the payments product that sends consumers to `redirectUrl`. */
async function redirectingPlan(redirectUrl: string | null, autoApprove = true) {
  const [plan] = await t.db
    .insert(plans)
    .values({ name: `Checkout ${randomBytes(3).toString("hex")}`, autoApprove, redirectUrl })
    .returning();
  if (!plan) throw new Error("plan insert");
  await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
  return plan;
}

async function submitOn(planId: string) {
  const user = await f.user();
  await addToCart(t.db, user.id, { productId: f.product("payments").id, planId });
  const request = await submitRequest(t.db, { userId: user.id, baseUrl: API_BASE_URL }, { newAppName: "Shop", reason: "Checkout" }, {});
  return { user, request };
}

const actions = async (requestId: string) =>
  (await t.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.subjectId, requestId)).orderBy(auditEvents.id)).map((e) => e.action);

describe("a plan that redirects the consumer", () => {
  it("keeps an auto-approve plan's request pending for the third party, and sends the requester there with a fresh reference", async () => {
    const plan = await redirectingPlan("https://billing.example/checkout?sku=gold");
    const { user, request } = await submitOn(plan.id);
    expect(request.status).toBe("pending");
    expect(await actions(request.id)).toEqual(["request.submitted", "request.redirected"]);
    const [redirected] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, request.id), eq(auditEvents.action, "request.redirected")));
    expect(redirected?.data).toEqual({ redirectUrl: "https://billing.example/checkout?sku=gold", autoApproveWaived: true });
    expect(redirected?.comment).toContain("billing.example");
    // no claim link went out
    const [mail] = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, user.email), eq(emailMessages.template, "approved")));
    expect(mail).toBeUndefined();

    const target = await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL });
    expect(target).not.toBeNull();
    const url = new URL(target ?? "");
    expect(url.host).toBe("billing.example");
    expect(url.searchParams.get("sku")).toBe("gold");
    expect(url.searchParams.get("portico_request")).toBe(request.id);
    const checked = await verify(url.searchParams.get("portico_reference") ?? "");
    expect(checked).toMatchObject({ ok: true, reference: { requestId: request.id, appId: request.appId, planId: plan.id } });

    // the URL kept on the request wins over a later change of the plan
    await t.db.update(plans).set({ redirectUrl: "https://elsewhere.example/" }).where(eq(plans.id, plan.id));
    expect(new URL((await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL })) ?? "").host).toBe("billing.example");
    // nobody else is sent anywhere for it, and a cancelled request is not sent either
    const stranger = await f.user();
    expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: stranger.id, issuer: API_BASE_URL })).toBeNull();
    await cancelRequest(t.db, user.id, request.id);
    expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL })).toBeNull();
  });

  it("leaves plans without a usable redirect URL as they were (auto-approve approves)", async () => {
    for (const redirectUrl of [null, "", "javascript:alert(1)", "not a url"]) {
      const plan = await redirectingPlan(redirectUrl);
      const { user, request } = await submitOn(plan.id);
      expect(request.status).toBe("approved");
      expect(await actions(request.id)).not.toContain("request.redirected");
      expect(await consumerRedirect(t.db, { requestId: request.id, requesterId: user.id, issuer: API_BASE_URL })).toBeNull();
    }
  });
});
