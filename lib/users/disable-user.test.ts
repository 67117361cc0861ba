import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, claimLinks, users } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { resendClaimLink } from "@/lib/keys/key-lifecycle";
import { lookupKey, verifyKey } from "@/lib/keys/verify-key";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken, mailsTo as mailsToAddress, refusal } from "@/tests/requests";
import { listUsers, setDisabled } from "./user-admin";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);
const [admin] = await t.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
if (!admin) throw new Error("seed admin missing");
const adminId = admin.id;
const adminActor = userActor(admin);
const verify = (key: string) => verifyKey({ key }, (h) => lookupKey(t.sql, h), { prefix });

async function submit(userId: string, appId: string, slug: string) {
  await addToCart(t.db, userId, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId, baseUrl }, { appId, reason: "Because" }, {});
}

const latestToken = (requestId: string) => latestClaimToken(t.db, requestId, baseUrl);

/** A person with one pending, one approved (unclaimed) and one available request. */
async function busyPerson() {
  const u = await f.user();
  const app = await f.app(u.id);
  const pending = await submit(u.id, app.id, "payments");
  const approved = await submit(u.id, app.id, "invoices");
  await decideRequests(t.db, approver, { requestIds: [approved.id], decision: "approve", baseUrl });
  const available = await submit(u.id, app.id, "fx-rates");
  await decideRequests(t.db, approver, { requestIds: [available.id], decision: "approve", baseUrl });
  const { plaintext } = await claimKey(t.db, await latestToken(available.id), u.id, { prefix });
  return { user: u, pending, approved, approvedToken: await latestToken(approved.id), available, key: plaintext };
}

const statusOf = async (id: string) => (await t.db.select().from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
const mailsTo = (to: string) => mailsToAddress(t.db, to);

describe("disabling a person ends what they had open", () => {
  it("cancels pending and approved requests, revokes working keys when asked, and sends ONE summary email", async () => {
    const p = await busyPerson();
    expect((await listUsers(t.db, { q: p.user.email })).rows[0]?.workingKeys).toBe(1);
    const before = (await mailsTo(p.user.email)).length;

    const ended = await setDisabled(t.db, adminActor, { userId: p.user.id, disabled: true, revokeKeys: true, baseUrl });
    expect(ended).toEqual({ cancelledRequests: 2, revokedRequests: 1, revokedKeys: 1, keptKeys: 0 });
    expect(await statusOf(p.pending.id)).toBe("cancelled");
    expect(await statusOf(p.approved.id)).toBe("cancelled");
    expect(await statusOf(p.available.id)).toBe("revoked");
    expect((await verify(p.key)).status).toBe(401);
    // The claim link of the approved request died with it.
    const [link] = await t.db.select().from(claimLinks).where(eq(claimLinks.requestId, p.approved.id));
    expect(link?.supersededAt).not.toBeNull();
    expect(await refusal(claimKey(t.db, p.approvedToken, p.user.id, { prefix }))).toMatch(/^conflict/);

    const cancelEvents = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "request.cancelled"), inArray(auditEvents.subjectId, [p.pending.id, p.approved.id])));
    expect(cancelEvents.map((e) => e.actorId)).toEqual([adminId, adminId]);
    expect(cancelEvents.every((e) => e.comment === "The account was disabled by an administrator.")).toBe(true);

    const mails = (await mailsTo(p.user.email)).slice(before);
    expect(mails.map((m) => m.template)).toEqual(["account-disabled"]);
    expect(mails[0]?.props).toMatchObject({
      cancelled: [{ productNames: ["Payments API"] }, { productNames: ["Invoices API"] }],
      revoked: [{ productNames: ["FX Rates API"] }],
      kept: [],
    });
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "user.disabled"), eq(auditEvents.subjectId, p.user.id)));
    expect(event?.data).toMatchObject({ cancelledRequests: 2, revokedKeys: 1, keysKept: false });
  });

  it("keeping their keys still cancels every pending and approved request", async () => {
    const p = await busyPerson();
    const before = (await mailsTo(p.user.email)).length;
    const ended = await setDisabled(t.db, adminActor, { userId: p.user.id, disabled: true, revokeKeys: false, baseUrl });
    expect(ended).toEqual({ cancelledRequests: 2, revokedRequests: 0, revokedKeys: 0, keptKeys: 1 });
    expect(await statusOf(p.pending.id)).toBe("cancelled");
    expect(await statusOf(p.approved.id)).toBe("cancelled");
    expect(await statusOf(p.available.id)).toBe("available");
    expect((await verify(p.key)).status).toBe(200);
    const mails = (await mailsTo(p.user.email)).slice(before);
    expect(mails.map((m) => m.template)).toEqual(["account-disabled"]);
    expect(mails[0]?.props).toMatchObject({ revoked: [], kept: [{ productNames: ["FX Rates API"] }] });
    // The approval of a cancelled request is refused as already decided: no claim link.
    const outcome = await decideRequests(t.db, approver, { requestIds: [p.pending.id], decision: "approve", baseUrl });
    expect(outcome[0]?.result).toBe("already-decided");
  });

  it("a disabled person is never sent a claim link: an approval cancels the request, a re-send is refused", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    const pending = await submit(u.id, app.id, "payments");
    const approved = await submit(u.id, app.id, "invoices");
    await decideRequests(t.db, approver, { requestIds: [approved.id], decision: "approve", baseUrl });
    // Disabled by some other path than setDisabled (a script, a race with the approval).
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, u.id));
    const before = (await mailsTo(u.email)).length;

    await decideRequests(t.db, approver, { requestIds: [pending.id], decision: "approve", baseUrl });
    expect(await statusOf(pending.id)).toBe("cancelled");
    expect(await t.db.select().from(claimLinks).where(eq(claimLinks.requestId, pending.id))).toEqual([]);
    expect((await mailsTo(u.email)).slice(before)).toEqual([]);

    expect(await refusal(resendClaimLink(t.db, u.id, approved.id, baseUrl, new Date(Date.now() + 120_000)))).toMatch(
      /^forbidden: This account is disabled, so no claim link can be sent/,
    );
    expect((await mailsTo(u.email)).slice(before)).toEqual([]);
  });

  it("a disabled person claims no key with a link that would still work; the link stays unused", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    const approved = await submit(u.id, app.id, "invoices");
    await decideRequests(t.db, approver, { requestIds: [approved.id], decision: "approve", baseUrl });
    const token = await latestToken(approved.id);
    // Disabled by some other path than setDisabled, which would have ended the claim link.
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, u.id));

    expect(await refusal(claimKey(t.db, token, u.id, { prefix }))).toMatch(/^forbidden: Your account is disabled/);
    expect(await statusOf(approved.id)).toBe("approved");
    const [link] = await t.db.select().from(claimLinks).where(eq(claimLinks.requestId, approved.id));
    expect(link?.usedAt).toBeNull();
  });

  it("names as kept only keys that still work, the users page's count, also for someone disabled already", async () => {
    const p = await busyPerson();
    const first = await setDisabled(t.db, adminActor, { userId: p.user.id, disabled: true, revokeKeys: false, baseUrl });
    expect(first.keptKeys).toBe(1);
    expect((await listUsers(t.db, { q: p.user.email })).rows[0]?.workingKeys).toBe(1);
    // Disabled again (a retried API call): nothing more ends, and the key that still works is named.
    const again = await setDisabled(t.db, adminActor, { userId: p.user.id, disabled: true, revokeKeys: false, baseUrl });
    expect(again).toEqual({ cancelledRequests: 0, revokedRequests: 0, revokedKeys: 0, keptKeys: 1 });
    // A key past its expiry on a request still marked available works no more: not kept, as the page says.
    await t.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(apiKeys.requestId, p.available.id));
    expect((await listUsers(t.db, { q: p.user.email })).rows[0]?.workingKeys).toBe(0);
    expect((await setDisabled(t.db, adminActor, { userId: p.user.id, disabled: true, revokeKeys: false, baseUrl })).keptKeys).toBe(0);
  });
});
