import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, emailMessages } from "@/db/schema";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { workingKeysOfProduct } from "@/lib/products/working-keys";
import { addToCart } from "@/lib/cart/cart-store";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, refusal } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { userActor } from "@/lib/auth/permissions";
import { expireUnclaimedRequests } from "@/lib/requests/expire-unclaimed";
import { claimLinks } from "@/db/schema";
import { expireDueKeys, resendClaimLink, rollKey } from "./key-lifecycle";
import { lookupKey, verifyKey } from "./verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);
const verify = (key: string, product?: string, now?: Date) => verifyKey({ key, product }, (h) => lookupKey(t.sql, h), { prefix, now });

const approvedRequest = (opts: Parameters<typeof approvedRequestFor>[1] = {}) => approvedRequestFor({ db: t.db, f, approver, baseUrl }, opts);

describe("at most two working keys", () => {
  it("a second roll while the rolled key is in its grace period is refused, saying when it can roll again", async () => {
    const { token, user, request } = await approvedRequest();
    const first = await claimKey(t.db, token, user.id, { prefix });
    const opts = { prefix, graceHours: 24, baseUrl };
    const second = await rollKey(t.db, user.id, { requestId: request.id, keyId: first.key.id }, opts);
    const refused = await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: second.key.id }, opts));
    expect(refused).toMatch(/^conflict: The previous key \(ptk_.{4}…\) still works until .+ Roll again after that time/);
    // Nothing changed: still exactly two working keys, the second one still current.
    const keys = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(keys).toHaveLength(2);
    expect(keys.find((k) => k.id === second.key.id)?.endReason).toBeNull();
    expect((await verify(first.plaintext)).status).toBe(200);
    expect((await verify(second.plaintext)).status).toBe(200);
    // Once the grace period is over, rolling works again.
    const in25h = new Date(Date.now() + 25 * 3_600_000);
    const third = await rollKey(t.db, user.id, { requestId: request.id, keyId: second.key.id }, { ...opts, now: in25h });
    expect((await verify(third.plaintext, undefined, in25h)).status).toBe(200);
    expect((await verify(first.plaintext, undefined, in25h)).status).toBe(401);
  });
});

describe("archived products", () => {
  it("archiving stops the product's keys for it (others of a multi-product key still work); restoring brings them back", async () => {
    const mixed = await approvedRequest({ slugs: ["payments", "invoices"] });
    const mixedKey = (await claimKey(t.db, mixed.token, mixed.user.id, { prefix })).plaintext;
    const single = await approvedRequest({ slugs: ["invoices"] });
    const singleKey = (await claimKey(t.db, single.token, single.user.id, { prefix })).plaintext;
    const invoices = f.product("invoices");
    expect(await workingKeysOfProduct(t.db, invoices.id)).toEqual({ keys: 2, unclaimed: 0 });

    await changeProductStatus(t.db, approver, invoices.id, "archive");
    expect((await verify(mixedKey, "invoices")).status).toBe(403);
    expect((await verify(mixedKey, "payments")).status).toBe(200);
    expect((await verify(mixedKey)).body).toMatchObject({ valid: true, products: ["payments"] });
    expect((await verify(singleKey)).status).toBe(401);
    expect((await verify(singleKey, "invoices")).status).toBe(401);

    await changeProductStatus(t.db, approver, invoices.id, "restore");
    expect((await verify(singleKey, "invoices")).status).toBe(200);
    expect((await verify(mixedKey, "invoices")).status).toBe(200);
    await changeProductStatus(t.db, approver, invoices.id, "publish");
  });

  it("archiving with revoke ends single-product access like a revoke and tells mixed requesters what they lost", async () => {
    const fx = f.product("fx-rates");
    const mixed = await approvedRequest({ slugs: ["payments", "fx-rates"] });
    const mixedKey = (await claimKey(t.db, mixed.token, mixed.user.id, { prefix })).plaintext;
    const single = await approvedRequest({ slugs: ["fx-rates"] });
    const singleKey = (await claimKey(t.db, single.token, single.user.id, { prefix })).plaintext;
    const unclaimed = await approvedRequest({ slugs: ["fx-rates"] });
    expect(await workingKeysOfProduct(t.db, fx.id)).toEqual({ keys: 2, unclaimed: 1 });

    const { message } = await changeProductStatus(t.db, approver, fx.id, "archive", { revokeKeys: true, baseUrl });
    expect(message).toMatch(/Access revoked on 3 requests \(1 key stopped\); each requester is emailed\./);
    const status = async (id: string) => (await t.db.select().from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
    expect(await status(single.request.id)).toBe("revoked");
    expect(await status(unclaimed.request.id)).toBe("revoked");
    expect(await status(mixed.request.id)).toBe("available");
    expect(await refusal(claimKey(t.db, unclaimed.token, unclaimed.user.id, { prefix }))).toMatch(/^conflict/);

    // Revoked for good: restoring the product brings back neither the single-product key nor the
    // mixed key's archived part (its requester was told they lost it); the mixed key's other part works.
    await changeProductStatus(t.db, approver, fx.id, "restore");
    expect((await verify(singleKey)).status).toBe(401);
    expect((await verify(mixedKey, "fx-rates")).status).toBe(403);
    expect((await verify(mixedKey, "payments")).status).toBe(200);
    const [revokedKey] = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, single.request.id));
    expect(revokedKey).toMatchObject({ endReason: "revoked", revokedById: owner.id });
    const keyEvents = await t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "key.revoked"), eq(auditEvents.subjectId, revokedKey?.id ?? "")));
    expect(keyEvents).toHaveLength(1);

    const revokedMail = async (to: string) => t.db.select().from(emailMessages).where(and(eq(emailMessages.template, "revoked"), eq(emailMessages.to, to)));
    expect(await revokedMail(single.user.email)).toHaveLength(1);
    expect(await revokedMail(unclaimed.user.email)).toHaveLength(1);
    const [partial] = await revokedMail(mixed.user.email);
    expect(partial?.props).toMatchObject({ productNames: ["FX Rates API"], keptProductNames: ["Payments API"] });
  });
});

describe("approved but never claimed", () => {
  it("ends at the access window's end: expired once, audited, emailed, its claim link dead", async () => {
    const { user, request, token } = await approvedRequest({ durationDays: 2 });
    const in1day = new Date(Date.now() + 86_400_000);
    expect(await expireUnclaimedRequests(t.db, baseUrl, in1day)).toBe(0);
    const in3days = new Date(Date.now() + 3 * 86_400_000);
    const runs = await Promise.all([expireUnclaimedRequests(t.db, baseUrl, in3days), expireUnclaimedRequests(t.db, baseUrl, in3days)]);
    expect(runs[0] + runs[1]).toBe(1);
    // The key sweep leaves it alone (it has no key).
    expect(await expireDueKeys(t.db, baseUrl, in3days)).toBe(0);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("expired");
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, request.id), eq(auditEvents.action, "request.expired")));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: "system", actorId: null });
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.template, "expired"), eq(emailMessages.to, user.email)));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.props).toMatchObject({ unclaimed: true });
    const [link] = await t.db.select().from(claimLinks).where(eq(claimLinks.requestId, request.id));
    expect(link?.supersededAt).not.toBeNull();
    expect(await refusal(claimKey(t.db, token, user.id, { prefix }))).toMatch(/^conflict: This request is expired/);
  });

  it("a request without a duration never ends by this rule", async () => {
    const { request } = await approvedRequest();
    await t.db.update(accessRequests).set({ durationDays: null }).where(eq(accessRequests.id, request.id));
    expect(await expireUnclaimedRequests(t.db, baseUrl, new Date(Date.now() + 5000 * 86_400_000))).toBe(0);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("approved");
  });

  it("a claim after the window ended never reveals a key: refused, and the request ends as expired", async () => {
    const later = new Date(Date.now() + 3_600_000);
    const { user, request, token } = await approvedRequest({ startsAt: later, durationDays: 1 });
    // The claim link lives 72 h from the start; the window ends after 24 h.
    const in2days = new Date(later.getTime() + 2 * 86_400_000);
    // No new claim link is sent for it.
    expect(await refusal(resendClaimLink(t.db, user.id, request.id, baseUrl, in2days))).toMatch(/^conflict: This access ended on .+ before its key was claimed/);
    expect(await refusal(claimKey(t.db, token, user.id, { prefix, now: in2days, baseUrl }))).toMatch(
      /^conflict: This access ended on .+ before its key was claimed, so there is no key to claim\./,
    );
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id))).toEqual([]);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("expired");
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.template, "expired"), eq(emailMessages.to, user.email)));
    expect(mails).toHaveLength(1);
  });
});

describe("archiving with revoke skips the archiving person's own requests", () => {
  it("keeps the owner's own request for their product and says so; the other requester loses it", async () => {
    const invoices = f.product("invoices");
    const admin = userActor(await f.user("admin"));
    await addToCart(t.db, owner.id, { productId: invoices.id, planId: f.plan("Standard").id });
    const own = await submitRequest(t.db, { userId: owner.id, baseUrl }, { newAppName: "Owner's own app", reason: "Dogfooding" }, {});
    await decideRequests(t.db, admin, { requestIds: [own.id], decision: "approve", baseUrl });
    const other = await approvedRequest({ slugs: ["invoices"] });

    const { message } = await changeProductStatus(t.db, approver, invoices.id, "archive", { revokeKeys: true, baseUrl });
    // (Earlier tests of this file left other requests for invoices; those are revoked too.)
    expect(message).toMatch(/each requester is emailed\. Your own request keeps its access: you cannot revoke access you requested/);
    const status = async (id: string) => (await t.db.select().from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
    expect(await status(own.id)).toBe("approved");
    expect(await status(other.request.id)).toBe("revoked");
    await changeProductStatus(t.db, approver, invoices.id, "restore");
    await changeProductStatus(t.db, approver, invoices.id, "publish");
  });
});
