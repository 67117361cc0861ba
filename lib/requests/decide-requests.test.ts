import { and, count, eq, inArray, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, auditEvents, emailMessages, products } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { decideRequests, summarizeOutcomes } from "./decide-requests";
import { submitRequest } from "./submit-request";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const owner = await f.owner();
const admin = userActor(await f.user("admin"));

async function request(slug = "payments", plan = "Standard", answers: Record<string, unknown> = {}) {
  const u = await f.user();
  await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan(plan).id });
  return submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "App", reason: "Because" }, answers);
}

const decisionEvents = async (id: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, id), inArray(auditEvents.action, ["request.approved", "request.denied"])))
  )[0]?.n;

const decisionEmails = async (id: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(emailMessages)
      .where(and(inArray(emailMessages.template, ["approved", "reject"]), like(sql`${emailMessages.props}::text`, `%${id}%`)))
  )[0]?.n;

describe("decideRequests", () => {
  it("100 concurrent approve/deny calls: one decision, one audit event, one email; the rest already decided", async () => {
    const req = await request();
    const calls = Array.from({ length: 100 }, (_, i) =>
      decideRequests(t.db, userActor(owner), {
        requestIds: [req.id],
        decision: i % 2 ? "approve" : "deny",
        comment: `call ${i}`,
        baseUrl,
      }),
    );
    const results = (await Promise.all(calls)).map((r) => r[0]?.result);
    const winners = results.filter((r) => r === "approved" || r === "denied");
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r === "already-decided")).toHaveLength(99);
    expect(await decisionEvents(req.id)).toBe(1);
    expect(await decisionEmails(req.id)).toBe(1);
    const jobs = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs j
      join email_messages m on j.key = 'email:' || m.id where m.template in ('approved','reject') and m.props::text like ${`%${req.id}%`}`);
    expect(jobs[0]?.n).toBe(1);
  });

  it("a two-approver plan needs two different approvers; the same one counts once", async () => {
    const req = await request("payments", "Enterprise", { company: "Acme", environment: "Sandbox" });
    const first = await decideRequests(t.db, userActor(owner), { requestIds: [req.id], decision: "approve", baseUrl });
    expect(first[0]?.result).toBe("approval-recorded");
    const again = await decideRequests(t.db, userActor(owner), { requestIds: [req.id], decision: "approve", baseUrl });
    expect(again[0]?.result).toBe("already-approved-by-you");
    const second = await decideRequests(t.db, admin, { requestIds: [req.id], decision: "approve", baseUrl });
    expect(second[0]?.result).toBe("approved");
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.status).toBe("approved");
    expect(await decisionEmails(req.id)).toBe(1);
  });

  it("any deny ends a multi-approver request", async () => {
    const req = await request("fx-rates", "Enterprise", { company: "Acme", environment: "Production" });
    await decideRequests(t.db, admin, { requestIds: [req.id], decision: "approve", baseUrl });
    const denied = await decideRequests(t.db, userActor(owner), { requestIds: [req.id], decision: "deny", comment: "No", baseUrl });
    expect(denied[0]?.result).toBe("denied");
  });

  it("refuses a denial without a reason (the requester is emailed it) and writes nothing", async () => {
    const req = await request();
    for (const comment of [undefined, null, "", "   "]) {
      await expect(
        decideRequests(t.db, userActor(owner), { requestIds: [req.id], decision: "deny", comment, baseUrl }),
      ).rejects.toThrow("Say why you deny");
    }
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.status).toBe("pending");
  });

  it("an owner of other products, or a consumer, sees not-found and writes nothing", async () => {
    const req = await request();
    const otherOwner = await f.user("owner");
    await t.db.insert(products).values({ slug: `other-${otherOwner.id.slice(0, 8)}`, name: "Other", ownerId: otherOwner.id, status: "published" });
    const consumer = await f.user("consumer");
    const before = await t.sql`select (select count(*) from audit_events) a, (select count(*) from email_messages) e`;
    for (const approver of [userActor(otherOwner), userActor(consumer)]) {
      const out = await decideRequests(t.db, approver, { requestIds: [req.id], decision: "approve", baseUrl });
      expect(out).toEqual([{ requestId: req.id, result: "not-found" }]);
    }
    expect(await t.sql`select (select count(*) from audit_events) a, (select count(*) from email_messages) e`).toEqual(before);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.status).toBe("pending");
  });

  it("bulk decisions report a per-request result", async () => {
    const reqs = await Promise.all([1, 2, 3, 4, 5].map(() => request("invoices")));
    const ids = reqs.map((r) => r.id);
    await decideRequests(t.db, admin, { requestIds: ids.slice(0, 2), decision: "deny", comment: "x", baseUrl });
    const out = await decideRequests(t.db, admin, { requestIds: [...ids, "00000000-0000-4000-8000-000000000000"], decision: "approve", baseUrl });
    expect(summarizeOutcomes(out)).toBe("2 were already decided, 3 approved, 1 not found");
  });

  it("auto-approve sends the approved email in the submit transaction", async () => {
    const req = await request("weather", "Free");
    expect(req.status).toBe("approved");
    expect(await decisionEmails(req.id)).toBe(1);
  });
});
