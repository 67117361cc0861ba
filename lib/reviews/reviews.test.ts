import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, plans, reviews } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { userActor } from "@/lib/auth/permissions";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { refusal } from "@/tests/requests";
import { markReviewed } from "./mark-reviewed";
import { listReviews } from "./queries";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const owner = userActor(await f.owner());
// The decisions under review are an admin's: a reviewer never reviews their own decision.
const adminRow = await f.user("admin");
const decider = userActor(adminRow);

// Standard needs review with a comment; Free (auto-approve) needs review without one.
await t.db.update(plans).set({ reviewRequired: true, reviewCommentRequired: true }).where(eq(plans.id, f.plan("Standard").id));
await t.db.update(plans).set({ reviewRequired: true }).where(eq(plans.id, f.plan("Free").id));

async function request(plan: string, slug = "payments", answers: Record<string, string> = {}) {
  const u = await f.user();
  await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan(plan).id });
  return submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "App", reason: "Because" }, answers);
}

const reviewsOf = (requestId: string) => t.db.select().from(reviews).where(eq(reviews.requestId, requestId));

describe("the review queue", () => {
  it("opens a review for approvals, auto-approvals and revocations on review-required plans only", async () => {
    const manual = await request("Standard");
    await decideRequests(t.db, owner, { requestIds: [manual.id], decision: "approve", baseUrl });
    expect(await reviewsOf(manual.id)).toMatchObject([{ kind: "approved", commentRequired: true, reviewedAt: null }]);

    const auto = await request("Free");
    expect(await reviewsOf(auto.id)).toMatchObject([{ kind: "auto_approved", commentRequired: false }]);

    await revokeRequests(t.db, owner, { requestIds: [manual.id], reason: "Misuse", baseUrl });
    expect((await reviewsOf(manual.id)).map((r) => r.kind).sort()).toEqual(["approved", "revoked"]);

    const enterprise = await request("Enterprise", "payments", { company: "Acme", environment: "Sandbox" });
    expect(await reviewsOf(enterprise.id)).toEqual([]);
    const denied = await request("Standard", "invoices");
    await decideRequests(t.db, owner, { requestIds: [denied.id], decision: "deny", comment: "Not for this use", baseUrl });
    expect(await reviewsOf(denied.id)).toEqual([]);
  });

  it("refuses an empty comment where the plan requires one, and reviews outside the owner's products, writing nothing", async () => {
    const req = await request("Standard");
    await decideRequests(t.db, decider, { requestIds: [req.id], decision: "approve", baseUrl });
    const [review] = await reviewsOf(req.id);
    const before = await t.db.select({ n: count() }).from(auditEvents);
    expect(await refusal(markReviewed(t.db, owner, { reviewIds: [review?.id ?? ""], comment: "  " }))).toMatch(/^invalid: A selected review needs a comment/);
    const stranger = userActor(await f.user("owner"));
    expect(await refusal(markReviewed(t.db, stranger, { reviewIds: [review?.id ?? ""], comment: "fine" }))).toMatch(/^not_found/);
    expect((await reviewsOf(req.id))[0]?.reviewedAt).toBeNull();
    expect(await t.db.select({ n: count() }).from(auditEvents)).toEqual(before);

    const { rows } = await listReviews(t.db, stranger, { view: "all" });
    expect(rows.find((r) => r.requestId === req.id)).toBeUndefined();
    const mine = await listReviews(t.db, owner, { view: "open" });
    expect(mine.rows.find((r) => r.requestId === req.id)).toMatchObject({ commentRequired: true, decidedBy: adminRow.email });
  });

  it("20 concurrent marks of one review: one wins with one audit event, the rest were already reviewed", async () => {
    const req = await request("Standard");
    await decideRequests(t.db, decider, { requestIds: [req.id], decision: "approve", baseUrl });
    const [review] = await reviewsOf(req.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => markReviewed(t.db, owner, { reviewIds: [review?.id ?? ""], comment: `Looked at it (${i})` })),
    );
    expect(results.filter((r) => r.reviewed === 1)).toHaveLength(1);
    expect(results.filter((r) => r.alreadyReviewed === 1)).toHaveLength(19);
    const [events] = await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "request.reviewed"), eq(auditEvents.subjectId, req.id)));
    expect(events?.n).toBe(1);
    const { rows } = await listReviews(t.db, owner, { view: "reviewed" });
    expect(rows.find((r) => r.requestId === req.id)?.reviewerEmail).toBe("owner@portico.dev");
  });
});
