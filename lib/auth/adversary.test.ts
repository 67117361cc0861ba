import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, emailMessages, plans, productPlans, products, reviews, users } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { revokeRequests, rollKey } from "@/lib/keys/key-lifecycle";
import { lookupKey, verifyKey } from "@/lib/keys/verify-key";
import { planFormValues } from "@/lib/plans/plan-schema";
import { updatePlan } from "@/lib/plans/update-plan";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken, refusal } from "@/tests/requests";
import { userActor } from "./permissions";

/**
 * Adversarial review of issue 12 (branch adv). Each test pins a hole found by reading the code:
 * it fails on the code as merged and passes once the hole is closed.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const free = f.plan("Free"); // autoApprove
const standard = f.plan("Standard");
const payments = f.product("payments");

const ownerARow = await f.owner();
const ownerA = userActor(ownerARow);
const ownerBRow = await f.user("owner");
const ownerB = userActor(ownerBRow);

/** A product of owner B offering Free and Standard (payments belongs to owner A). */
async function productOfB(name = "Ledger API") {
  const [p] = await t.db
    .insert(products)
    .values({ slug: `ledger-${randomBytes(3).toString("hex")}`, name, ownerId: ownerB.id, status: "published" })
    .returning();
  if (!p) throw new Error("product insert");
  await t.db.insert(productPlans).values([
    { productId: p.id, planId: free.id },
    { productId: p.id, planId: standard.id },
  ]);
  return p;
}

async function submit(userId: string, productIds: string[], planId: string, appId?: string) {
  for (const productId of productIds) await addToCart(t.db, userId, { productId, planId });
  const app = appId ? { appId } : { newAppName: `App ${randomBytes(3).toString("hex")}` };
  return submitRequest(t.db, { userId, baseUrl }, { ...app, reason: "Because" }, {});
}

const latestToken = (requestId: string) => latestClaimToken(t.db, requestId, baseUrl);

/** A mixed request (payments of owner A + a product of owner B) on Standard, approved by both owners and claimed. */
async function claimedMixed(ledgerId: string) {
  const u = await f.user();
  const req = await submit(u.id, [payments.id, ledgerId], standard.id);
  await decideRequests(t.db, ownerA, { requestIds: [req.id], decision: "approve", baseUrl });
  await decideRequests(t.db, ownerB, { requestIds: [req.id], decision: "approve", baseUrl });
  const { plaintext, key } = await claimKey(t.db, await latestToken(req.id), u.id, { prefix });
  return { user: u, request: req, key: plaintext, keyId: key.id };
}

const verify = async (key: string, product: string) => (await verifyKey({ key, product }, (h) => lookupKey(t.sql, h), { prefix })).status;
const statusOf = async (id: string) => (await t.db.select({ s: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.s;

describe("adversary: access after a per-part revocation", () => {
  it("an owner's per-part revoke withholds auto-approval of that product like a whole revoke does (new app, same requester)", async () => {
    const ledger = await productOfB();
    const u = await f.user();
    // Free auto-approves: a mixed request of A's and B's products.
    const first = await submit(u.id, [payments.id, ledger.id], free.id);
    expect(first.status).toBe("approved");
    // Owner B revokes their part for abuse; A's part keeps working, so the request is not "revoked".
    const r = await revokeRequests(t.db, ownerB, { requestIds: [first.id], reason: "Abuse of the Ledger API", baseUrl });
    expect(r.partlyRevoked).toEqual([first.id]);
    // The requester asks for B's product again from another app: B's judgment must not be bypassed.
    const again = await submit(u.id, [ledger.id], free.id);
    expect(again.status).toBe("pending");
  });
});

describe("adversary: archiving with revoke is per owner", () => {
  it("owner A archiving their product with revoke does not revoke owner B's (archived, kept) part of a mixed request", async () => {
    const ledger = await productOfB();
    const m = await claimedMixed(ledger.id);
    // B archives without revoking: "restoring it lets them work again".
    await changeProductStatus(t.db, ownerB, ledger.id, "archive");
    // A archives their own product and chooses to revoke its keys.
    await changeProductStatus(t.db, ownerA, payments.id, "archive", { revokeKeys: true, baseUrl });
    await changeProductStatus(t.db, ownerA, payments.id, "restore");
    await changeProductStatus(t.db, ownerA, payments.id, "publish");
    // B restores: B's consumer should get B's product back; A's revoke must not have taken it.
    await changeProductStatus(t.db, ownerB, ledger.id, "restore");
    await changeProductStatus(t.db, ownerB, ledger.id, "publish");
    expect(await verify(m.key, ledger.slug)).toBe(200);
    expect(await statusOf(m.request.id)).toBe("available");
  });

  it("archiving with revoke after the other owner revoked their part ends the request (no 'available' request with every part revoked)", async () => {
    const ledger = await productOfB();
    const m = await claimedMixed(ledger.id);
    await revokeRequests(t.db, ownerB, { requestIds: [m.request.id], reason: "Misuse", baseUrl });
    expect(await statusOf(m.request.id)).toBe("available");
    await changeProductStatus(t.db, ownerA, payments.id, "archive", { revokeKeys: true, baseUrl });
    await changeProductStatus(t.db, ownerA, payments.id, "restore");
    await changeProductStatus(t.db, ownerA, payments.id, "publish");
    const parts = await t.db.select().from(accessRequestProducts).where(eq(accessRequestProducts.requestId, m.request.id));
    expect(parts.every((p) => p.revokedAt)).toBe(true);
    // The key itself already verifies for nothing (verify-key.ts refuses a key with no products) ...
    const bare = await verifyKey({ key: m.key }, (h) => lookupKey(t.sql, h), { prefix });
    expect(bare.status).toBe(401);
    // Every part is revoked, so the request must be revoked and its key ended ...
    expect(await statusOf(m.request.id)).toBe("revoked");
    // ... and the requester must not be told the key "still works for" the product B revoked.
    const [mail] = await t.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.template, "revoked"), eq(emailMessages.to, m.user.email)))
      .orderBy(desc(emailMessages.createdAt))
      .limit(1);
    expect(mail?.props.keptProductNames ?? []).toEqual([]);
  });
});

describe("adversary: every revocation is reviewed where the plan asks for it", () => {
  it("archiving with revoke that takes one product from a mixed request opens a review, as an owner's part revoke does", async () => {
    const ledger = await productOfB();
    const [reviewed] = await t.db
      .insert(plans)
      .values({ name: `Reviewed ${randomBytes(3).toString("hex")}`, autoApprove: false, approvalsRequired: 1, keyLifetimeDays: 30, reviewRequired: true })
      .returning();
    if (!reviewed) throw new Error("plan insert");
    const fx = f.product("fx-rates");
    await t.db.insert(productPlans).values([
      { productId: ledger.id, planId: reviewed.id },
      { productId: fx.id, planId: reviewed.id },
    ]);
    const u = await f.user();
    const req = await submit(u.id, [fx.id, ledger.id], reviewed.id);
    await decideRequests(t.db, ownerA, { requestIds: [req.id], decision: "approve", baseUrl });
    await decideRequests(t.db, ownerB, { requestIds: [req.id], decision: "approve", baseUrl });
    await changeProductStatus(t.db, ownerA, fx.id, "archive", { revokeKeys: true, baseUrl });
    const opened = await t.db.select().from(reviews).where(and(eq(reviews.requestId, req.id), eq(reviews.kind, "revoked")));
    expect(opened).toHaveLength(1);
  });
});

describe("adversary: a plan owner grants access to another owner's product", () => {
  it("owner A turning on auto-approve on A's plan does not auto-approve requests for owner B's product that offers it", async () => {
    const ledger = await productOfB();
    const [planOfA] = await t.db
      .insert(plans)
      .values({ name: `A's plan ${randomBytes(3).toString("hex")}`, ownerId: ownerA.id, autoApprove: false, approvalsRequired: 1, keyLifetimeDays: 30 })
      .returning();
    if (!planOfA) throw new Error("plan insert");
    // An admin offered A's plan on B's product (offerable-plans.ts allows it and B keeps it).
    await t.db.insert(productPlans).values({ productId: ledger.id, planId: planOfA.id });
    // A flips the plan to auto-approve: A alone now decides who gets B's API.
    await updatePlan(t.db, ownerA, planOfA.id, { ...planFormValues(planOfA), autoApprove: "true" });
    const req = await submit((await f.user()).id, [ledger.id], planOfA.id);
    expect(req.status).toBe("pending");
  });
});

describe("adversary: separation of duties by other paths", () => {
  it("the requester never revokes their own request, also not by archiving their product with revoke", async () => {
    // Owner A requests access to their own product (from their own app), an admin approves, A claims.
    const req = await submit(ownerA.id, [payments.id], standard.id);
    await decideRequests(t.db, userActor(await f.user("admin")), { requestIds: [req.id], decision: "approve", baseUrl });
    await claimKey(t.db, await latestToken(req.id), ownerA.id, { prefix });
    await changeProductStatus(t.db, ownerA, payments.id, "archive", { revokeKeys: true, baseUrl });
    await changeProductStatus(t.db, ownerA, payments.id, "restore");
    await changeProductStatus(t.db, ownerA, payments.id, "publish");
    // revokeRequests refuses this ("You requested this access: another approver decides."); archiving did it anyway.
    expect(await statusOf(req.id)).toBe("available");
  });

  it("a disabled admin's earlier approval does not count toward the plan's distinct approvers", async () => {
    const [twoApprovers] = await t.db
      .insert(plans)
      .values({ name: `Two approvers ${randomBytes(3).toString("hex")}`, autoApprove: false, approvalsRequired: 2, keyLifetimeDays: 30 })
      .returning();
    if (!twoApprovers) throw new Error("plan insert");
    await t.db.insert(productPlans).values({ productId: payments.id, planId: twoApprovers.id });
    const req = await submit((await f.user()).id, [payments.id], twoApprovers.id);
    const x = await f.user("admin");
    expect((await decideRequests(t.db, userActor(x), { requestIds: [req.id], decision: "approve", baseUrl }))[0]?.result).toBe("approval-recorded");
    // X is disabled (say, a compromised account) before the second approval.
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, x.id));
    const y = userActor(await f.user("admin"));
    const outcome = (await decideRequests(t.db, y, { requestIds: [req.id], decision: "approve", baseUrl }))[0]?.result;
    expect(outcome).toBe("approval-recorded");
  });
});

describe("adversary: requester domain functions ignore a disabled account", () => {
  it("submitRequest refuses a disabled user (session check and submit race; jobs/API reuse the function)", async () => {
    const [u] = await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, (await f.user()).id)).returning();
    if (!u) throw new Error("user");
    const outcome = await refusal(submit(u.id, [payments.id], standard.id));
    expect(outcome).toMatch(/^forbidden/);
    const mine = await t.db.select().from(accessRequests).where(eq(accessRequests.requesterId, u.id));
    expect(mine).toHaveLength(0);
  });

  it("rollKey refuses a disabled user whose keys the admin kept (a new key is a new secret for a disabled person)", async () => {
    const u = await f.user();
    const req = await submit(u.id, [payments.id], standard.id);
    await decideRequests(t.db, ownerA, { requestIds: [req.id], decision: "approve", baseUrl });
    const { key } = await claimKey(t.db, await latestToken(req.id), u.id, { prefix });
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, u.id));
    const outcome = await refusal(rollKey(t.db, u.id, { requestId: req.id, keyId: key.id }, { prefix, graceHours: 24, baseUrl }));
    expect(outcome).toMatch(/^forbidden/);
  });
});
