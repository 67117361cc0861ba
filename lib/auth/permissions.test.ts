import { randomBytes } from "node:crypto";
import { and, eq, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, emailMessages, plans, productPlans, products, reviews, users } from "@/db/schema";
import { queueDetail } from "@/lib/admin/queue-query";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { lookupKey, verifyKey } from "@/lib/keys/verify-key";
import { retryMessage, setSubject } from "@/lib/mail/email-admin";
import { approversFor } from "@/lib/requests/approvers";
import { decideRequests } from "@/lib/requests/decide-requests";
import { partWords } from "@/lib/requests/part-words";
import { submitRequest } from "@/lib/requests/submit-request";
import { markReviewed } from "@/lib/reviews/mark-reviewed";
import { listReviews } from "@/lib/reviews/queries";
import { changeRole, setDisabled } from "@/lib/users/user-admin";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken } from "@/tests/requests";
import { withoutWrites } from "@/tests/table-snapshot";
import { type Actor, REASONS, can, userActor } from "./permissions";

/**
 * The authorization matrix at the domain level (DESIGN.md §9): every mutation checks the permission
 * itself, so a job, a script or the REST API get the same answers as the UI. Each refused call is
 * checked against a snapshot of every table: it writes nothing at all.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const standard = f.plan("Standard");
const payments = f.product("payments");
// Standard is the shared plan of the mixed requests below, and its decisions wait for review.
await t.db.update(plans).set({ reviewRequired: true }).where(eq(plans.id, standard.id));

const ownerARow = await f.owner();
const ownerA = userActor(ownerARow);
const ownerBRow = await f.user("owner");
const ownerB = userActor(ownerBRow);
const [ledger] = await t.db
  .insert(products)
  .values({ slug: `ledger-${randomBytes(3).toString("hex")}`, name: "Ledger API", ownerId: ownerB.id, status: "published" })
  .returning();
if (!ledger) throw new Error("ledger insert");
await t.db.insert(productPlans).values({ productId: ledger.id, planId: standard.id });

const consumer = userActor(await f.user("consumer"));
const ownerOfNone = userActor(await f.user("owner"));
const adminRow = await f.user("admin");
const admin = userActor(adminRow);
const admin2Row = await f.user("admin");
const admin2 = userActor(admin2Row);
const [disabledAdminRow] = await t.db
  .update(users)
  .set({ disabledAt: new Date() })
  .where(eq(users.id, (await f.user("admin")).id))
  .returning();
if (!disabledAdminRow) throw new Error("disabled admin");
const disabledAdmin = userActor(disabledAdminRow);
const outsiders: [string, Actor][] = [
  ["a consumer", consumer],
  ["an owner of none of its products", ownerOfNone],
  ["a disabled admin", disabledAdmin],
];

async function submit(requesterId: string, productIds: string[], plan = "Standard", answers: Record<string, string> = {}) {
  for (const productId of productIds) await addToCart(t.db, requesterId, { productId, planId: f.plan(plan).id });
  const app = `App ${randomBytes(3).toString("hex")}`;
  return submitRequest(t.db, { userId: requesterId, baseUrl }, { newAppName: app, reason: "Because" }, answers);
}
const mixed = async () => submit((await f.user()).id, [payments.id, ledger.id]);
const single = async (requesterId?: string) => submit(requesterId ?? (await f.user()).id, [payments.id]);

const decide = (actor: Actor, requestId: string, decision: "approve" | "deny" = "approve") =>
  decideRequests(t.db, actor, { requestIds: [requestId], decision, comment: decision === "deny" ? "Not for this use" : null, baseUrl });
const revoke = (actor: Actor, requestId: string) => revokeRequests(t.db, actor, { requestIds: [requestId], reason: "Misuse", baseUrl });
const result = async (p: Promise<{ result: string }[]>) => (await p)[0]?.result;
const statusOf = async (id: string) => (await t.db.select({ s: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.s;
const partsOf = (id: string) =>
  t.db
    .select({ productId: accessRequestProducts.productId, approvedById: accessRequestProducts.approvedById, revokedById: accessRequestProducts.revokedById })
    .from(accessRequestProducts)
    .where(eq(accessRequestProducts.requestId, id))
    .orderBy(accessRequestProducts.productId);
const partOf = async (id: string, productId: string) => (await partsOf(id)).find((p) => p.productId === productId);
const reviewOf = async (requestId: string, kind: "approved" | "revoked" = "approved") =>
  (await t.db.select().from(reviews).where(and(eq(reviews.requestId, requestId), eq(reviews.kind, kind))))[0]?.id ?? "";
const review = (actor: Actor, reviewId: string) => markReviewed(t.db, actor, { reviewIds: [reviewId], comment: "Looked at it" });
const forbidden = (reason: string) => `forbidden: ${reason}`;

async function claimedKey(requestId: string) {
  const token = await latestClaimToken(t.db, requestId, baseUrl);
  const [request] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
  const { plaintext } = await claimKey(t.db, token, request?.requesterId ?? "", { prefix });
  return plaintext;
}
const verify = async (key: string, product: string) => (await verifyKey({ key, product }, (h) => lookupKey(t.sql, h), { prefix })).status;

describe("approve and deny", () => {
  it("outsiders (a consumer, an owner of none, a disabled admin) see not-found and write nothing", async () => {
    const req = await mixed();
    for (const [, actor] of outsiders) {
      for (const decision of ["approve", "deny"] as const) {
        expect(await withoutWrites(t.sql, () => decide(actor, req.id, decision))).toEqual([{ requestId: req.id, result: "not-found" }]);
      }
    }
    expect(await statusOf(req.id)).toBe("pending");
  });

  it("the owner of one product of a mixed request approves only their part; the co-owner's approval completes it", async () => {
    const req = await mixed();
    expect(await result(decide(ownerA, req.id))).toBe("approval-recorded");
    expect(await statusOf(req.id)).toBe("pending");
    expect(await partOf(req.id, payments.id)).toMatchObject({ approvedById: ownerA.id });
    expect(await partOf(req.id, ledger.id)).toMatchObject({ approvedById: null });
    // Approving again changes nothing: the other owner's part still waits.
    expect(await withoutWrites(t.sql, () => decide(ownerA, req.id))).toEqual([{ requestId: req.id, result: "already-approved-by-you" }]);

    expect(await result(decide(ownerB, req.id))).toBe("approved");
    expect(await statusOf(req.id)).toBe("approved");
    expect(await partOf(req.id, ledger.id)).toMatchObject({ approvedById: ownerB.id });
  });

  it("both owners approving a mixed request at once, ten times each: approved exactly once, one email, one audit event", async () => {
    const req = await mixed();
    const calls = Array.from({ length: 20 }, (_, i) => result(decide(i % 2 ? ownerA : ownerB, req.id)));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === "approved")).toHaveLength(1);
    expect(results.filter((r) => r === "approval-recorded")).toHaveLength(1);
    expect(await statusOf(req.id)).toBe("approved");
    const approvedEvents = await t.sql`select count(*)::int as n from audit_events where subject_id = ${req.id} and action = 'request.approved'`;
    expect(approvedEvents[0]?.n).toBe(1);
    const mails = await t.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.template, "approved"), like(sql`${emailMessages.props}::text`, `%${req.id}%`)));
    expect(mails).toHaveLength(1);
  });

  it("an admin approves every part at once", async () => {
    const req = await mixed();
    expect(await result(decide(admin, req.id))).toBe("approved");
    expect((await partsOf(req.id)).map((p) => p.approvedById)).toEqual([admin.id, admin.id]);
  });

  it("the owner of one part may deny: any deny ends the whole request", async () => {
    const req = await mixed();
    expect(await result(decide(ownerB, req.id, "deny"))).toBe("denied");
    expect(await statusOf(req.id)).toBe("denied");
  });

  it("the requester never approves or denies their own request, as owner or as admin", async () => {
    const byOwner = await single(ownerA.id);
    const byAdmin = await single(admin.id);
    for (const [actor, req] of [[ownerA, byOwner], [admin, byAdmin]] as const) {
      for (const decision of ["approve", "deny"] as const) {
        expect(await withoutWrites(t.sql, () => decide(actor, req.id, decision))).toBe(forbidden(REASONS.ownRequest));
      }
      expect(await statusOf(req.id)).toBe("pending");
    }
    // Someone else may.
    expect(await result(decide(admin2, byOwner.id))).toBe("approved");
    expect(await result(decide(ownerA, byAdmin.id))).toBe("approved");
  });

  it("the requester is never one of the plan's distinct approvers", async () => {
    const req = await submit(admin2.id, [payments.id], "Enterprise", { company: "Acme", environment: "Sandbox" });
    expect(await result(decide(admin, req.id))).toBe("approval-recorded");
    expect(await withoutWrites(t.sql, () => decide(admin2, req.id))).toBe(forbidden(REASONS.ownRequest));
    expect(await statusOf(req.id)).toBe("pending");
    expect(await result(decide(ownerA, req.id))).toBe("approved");
  });

  it("one own request in a bulk decision refuses the whole call", async () => {
    const other = await single();
    const own = await single(admin.id);
    expect(
      await withoutWrites(t.sql, () => decideRequests(t.db, admin, { requestIds: [other.id, own.id], decision: "approve", baseUrl })),
    ).toBe(forbidden(REASONS.ownRequest));
  });
});

describe("revoke, per part", () => {
  it("an owner revokes only their product (it stops verifying, the other keeps working); the co-owner's revoke ends the request", async () => {
    const req = await mixed();
    await decide(ownerA, req.id);
    await decide(ownerB, req.id);
    const key = await claimedKey(req.id);
    expect(await verify(key, payments.slug)).toBe(200);
    expect(await verify(key, ledger.slug)).toBe(200);

    for (const [, actor] of outsiders) {
      expect(await withoutWrites(t.sql, () => revoke(actor, req.id))).toMatch(/^not_found/);
    }

    expect(await revoke(ownerA, req.id)).toMatchObject({ revoked: [], partlyRevoked: [req.id] });
    expect(await statusOf(req.id)).toBe("available");
    expect(await partOf(req.id, payments.id)).toMatchObject({ revokedById: ownerA.id });
    expect(await partOf(req.id, ledger.id)).toMatchObject({ revokedById: null });
    expect(await verify(key, payments.slug)).toBe(403);
    expect(await verify(key, ledger.slug)).toBe(200);
    const [mail] = await t.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.template, "revoked"), like(sql`${emailMessages.props}::text`, `%${req.id}%`)));
    expect(mail?.props).toMatchObject({ productNames: ["Payments API"], keptProductNames: ["Ledger API"], reason: "Misuse" });
    expect(await withoutWrites(t.sql, () => revoke(ownerA, req.id))).toMatch(/^conflict/);

    expect(await revoke(ownerB, req.id)).toMatchObject({ revoked: [req.id], partlyRevoked: [] });
    expect(await statusOf(req.id)).toBe("revoked");
    const mails = await t.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.template, "revoked"), like(sql`${emailMessages.props}::text`, `%${req.id}%`)))
      .orderBy(emailMessages.createdAt);
    expect(mails.map((m) => m.props.productNames)).toEqual([["Payments API"], ["Ledger API"]]);
    expect(await verify(key, ledger.slug)).toBe(401);
  });

  it("an admin revokes every part at once", async () => {
    const req = await mixed();
    await decide(admin, req.id);
    expect(await revoke(admin, req.id)).toMatchObject({ revoked: [req.id] });
    expect((await partsOf(req.id)).map((p) => p.revokedById)).toEqual([admin.id, admin.id]);
  });

  it("the requester never revokes their own request, as owner or as admin", async () => {
    const byOwner = await single(ownerA.id);
    const byAdmin = await single(admin.id);
    await decide(admin2, byOwner.id);
    await decide(admin2, byAdmin.id);
    expect(await withoutWrites(t.sql, () => revoke(ownerA, byOwner.id))).toBe(forbidden(REASONS.ownRequest));
    expect(await withoutWrites(t.sql, () => revoke(admin, byAdmin.id))).toBe(forbidden(REASONS.ownRequest));
    expect(await statusOf(byOwner.id)).toBe("approved");
  });
});

describe("mark reviewed", () => {
  it("needs authority over every part: each owner of a mixed request is refused, outsiders see not-found, an admin may", async () => {
    const req = await mixed();
    await decide(ownerA, req.id);
    await decide(ownerB, req.id);
    const id = await reviewOf(req.id);
    for (const [, actor] of outsiders) expect(await withoutWrites(t.sql, () => review(actor, id))).toMatch(/^not_found/);
    for (const owner of [ownerA, ownerB]) expect(await withoutWrites(t.sql, () => review(owner, id))).toBe(forbidden(REASONS.notEveryPart));
    expect(await review(admin, id)).toMatchObject({ reviewed: 1 });
  });

  it("the person who decided never reviews that decision; someone else does", async () => {
    const byOwner = await single();
    await decide(ownerA, byOwner.id);
    const ownerDecided = await reviewOf(byOwner.id);
    expect(await withoutWrites(t.sql, () => review(ownerA, ownerDecided))).toBe(forbidden(REASONS.ownDecision));
    expect(await review(admin, ownerDecided)).toMatchObject({ reviewed: 1 });

    const byAdmin = await single();
    await decide(admin, byAdmin.id);
    const adminDecided = await reviewOf(byAdmin.id);
    expect(await withoutWrites(t.sql, () => review(admin, adminDecided))).toBe(forbidden(REASONS.ownDecision));
    expect(await review(ownerA, adminDecided)).toMatchObject({ reviewed: 1 });
  });

  it("the revoker never reviews their revocation", async () => {
    const req = await single();
    await decide(admin, req.id);
    await revoke(ownerA, req.id);
    const id = await reviewOf(req.id, "revoked");
    expect(await withoutWrites(t.sql, () => review(ownerA, id))).toBe(forbidden(REASONS.ownDecision));
    expect(await review(admin2, id)).toMatchObject({ reviewed: 1 });
  });

  it("the requester never reviews the decision on their own request", async () => {
    const req = await single(admin2.id);
    await decide(ownerA, req.id);
    const id = await reviewOf(req.id);
    expect(await withoutWrites(t.sql, () => review(admin2, id))).toBe(forbidden(REASONS.ownRequestReview));
    expect(await review(admin, id)).toMatchObject({ reviewed: 1 });
  });
});

describe("admin-only functions check the role themselves", () => {
  const nonAdmins: [string, Actor, string][] = [
    ["a consumer", consumer, REASONS.adminOnly],
    ["an owner", ownerA, REASONS.adminOnly],
    ["a disabled admin", disabledAdmin, REASONS.disabled],
  ];
  const failedMessage = async () => {
    const [row] = await t.db.insert(emailMessages).values({ to: "x@example.com", template: "sign-in", status: "failed", lastError: "boom" }).returning();
    return row?.id ?? "";
  };

  it.each(nonAdmins)("%s is refused changeRole, setDisabled, setSubject and retryMessage, writing nothing", async (_, actor, reason) => {
    const target = await f.user();
    const messageId = await failedMessage();
    const calls = [
      () => changeRole(t.db, actor, { userId: target.id, role: "admin" }),
      () => setDisabled(t.db, actor, { userId: target.id, disabled: true, revokeKeys: true, baseUrl }),
      () => setSubject(t.db, actor, { template: "approved", subject: "Owned" }),
      () => retryMessage(t.db, actor, { messageId }),
    ];
    for (const call of calls) expect(await withoutWrites(t.sql, call)).toBe(forbidden(reason));
  });

  it("an admin may", async () => {
    const target = await f.user();
    await changeRole(t.db, admin, { userId: target.id, role: "owner" });
    await setDisabled(t.db, admin, { userId: target.id, disabled: true, baseUrl });
    await setSubject(t.db, admin, { template: "approved", subject: "Your key is ready" });
    await retryMessage(t.db, admin, { messageId: await failedMessage() });
    const [row] = await t.db.select().from(users).where(eq(users.id, target.id));
    expect(row).toMatchObject({ role: "owner" });
    expect(row?.disabledAt).toBeInstanceOf(Date);
    expect(can(admin, "audit.export", null)).toEqual({ ok: true });
    expect(can(ownerA, "audit.export", null)).toEqual({ ok: false, reason: REASONS.adminOnly });
  });
});

describe("new-request emails", () => {
  it("reach active admins and owners who still hold the role, never disabled or demoted people", async () => {
    const demoted = await f.user("owner");
    const [p] = await t.db.insert(products).values({ slug: `demoted-${randomBytes(3).toString("hex")}`, name: "Old API", ownerId: demoted.id }).returning();
    await t.db.update(users).set({ role: "consumer" }).where(eq(users.id, demoted.id));
    const ids = (await approversFor(t.db, [payments.id, p?.id ?? ""], consumer.id)).map((a) => a.id);
    expect(ids).toContain(ownerA.id);
    expect(ids).toContain(admin.id);
    expect(ids).not.toContain(demoted.id);
    expect(ids).not.toContain(disabledAdmin.id);
    expect(ids).not.toContain(ownerB.id);
  });

  it("never reach the requester, who may not decide their own request (an owner asking for their own product)", async () => {
    const ids = (await approversFor(t.db, [payments.id], ownerA.id)).map((a) => a.id);
    expect(ids).not.toContain(ownerA.id);
    expect(ids).toContain(admin.id);
  });
});

describe("what the queue and the review list tell each actor", () => {
  it("an owner's panel names the products their decision covers; the requester's says why there are no buttons", async () => {
    const req = await mixed();
    const forA = await queueDetail(t.db, ownerA, req.id);
    expect(forA).toMatchObject({ mayDecide: true, whyNot: null, myProducts: ["Payments API"], otherProducts: ["Ledger API"] });
    expect(await queueDetail(t.db, ownerOfNone, req.id)).toBeNull();
    expect(await queueDetail(t.db, disabledAdmin, req.id)).toBeNull();
    await decide(ownerA, req.id);
    expect(await queueDetail(t.db, ownerA, req.id)).toMatchObject({ mayDecide: false, whyNot: null });
    const parts = (await queueDetail(t.db, ownerA, req.id))?.parts ?? [];
    expect(parts.map((p) => [p.productName, partWords(p, "pending")])).toEqual([
      ["Ledger API", { words: "waiting for its owner", actor: null }],
      ["Payments API", { words: "approved by", actor: ownerARow.name }],
    ]);

    const own = await single(admin.id);
    expect(await queueDetail(t.db, admin, own.id)).toMatchObject({ mayDecide: false, whyNot: REASONS.ownRequest, mayRevoke: false });
  });

  it("a review the actor decided shows why it cannot be marked", async () => {
    const req = await single();
    await decide(ownerA, req.id);
    const { rows } = await listReviews(t.db, ownerA, { view: "open" });
    expect(rows.find((r) => r.requestId === req.id)).toMatchObject({ whyNot: REASONS.ownDecision });
    const forAdmin = await listReviews(t.db, admin, { view: "open" });
    expect(forAdmin.rows.find((r) => r.requestId === req.id)).toMatchObject({ whyNot: null });
  });
});
