import { and, count, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { accessRequests, auditEvents, cartItems, emailMessages } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { getMyRequest, listMyRequests } from "./queries";
import { cancelRequest, removeRequest, resubmitRequest } from "./requester-actions";
import { applyTransition } from "./state-machine";
import { cartFieldErrors, submitRequest } from "./submit-request";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";

async function cartFor(userId: string, slugs: string[], planName: string) {
  for (const slug of slugs) await addToCart(t.db, userId, { productId: f.product(slug).id, planId: f.plan(planName).id });
}

async function pendingRequest(userId: string, appId: string, slugs = ["payments"], plan = "Standard") {
  await cartFor(userId, slugs, plan);
  return submitRequest(t.db, { userId, baseUrl }, { appId, reason: "Need it" }, {});
}

const auditCount = async (requestId: string, action?: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, requestId), action ? eq(auditEvents.action, action) : undefined))
  )[0]?.n ?? 0;

const tableCounts = async () => {
  const [row] = await t.sql`select
    (select count(*)::int from access_requests) as requests,
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from email_messages) as emails,
    (select count(*)::int from apps) as apps`;
  return row;
};

describe("submitRequest", () => {
  it("writes the request, its products, an audit event and approver emails, then empties the cart", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    await cartFor(u.id, ["payments", "invoices"], "Standard");
    const req = await submitRequest(t.db, { userId: u.id, baseUrl }, { appId: app.id, reason: "Checkout" }, { useCase: "Shop" });
    expect(req.status).toBe("pending");
    expect(req.fields).toEqual({ useCase: "Shop" });
    expect(req.plan.name).toBe("Standard");
    expect(req.durationDays).toBe(180);
    const detail = await getMyRequest(t.db, u.id, req.id);
    expect(detail?.products.map((p) => p.name)).toEqual(["Invoices API", "Payments API"]);
    expect(detail?.timeline.map((e) => e.action)).toEqual(["request.submitted"]);
    const emails = await t.db.select().from(emailMessages).where(eq(emailMessages.template, "new-request"));
    expect(emails.map((e) => e.to)).toEqual(expect.arrayContaining(["owner@portico.dev", "admin@portico.dev"]));
    expect(emails.every((e) => JSON.stringify(e.props).includes(`${baseUrl}/admin/requests/${req.id}`))).toBe(true);
    const jobs = await t.db.execute(sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'send-email'`);
    expect(jobs[0]?.n).toBeGreaterThanOrEqual(2);
    expect(await t.db.select().from(cartItems).where(eq(cartItems.userId, u.id))).toEqual([]);
  });

  it("auto-approves in the same transaction, decided by auto-approve", async () => {
    const u = await f.user();
    await cartFor(u.id, ["weather"], "Free");
    const req = await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Weather widget", reason: "Demo" }, {});
    expect(req.status).toBe("approved");
    const detail = await getMyRequest(t.db, u.id, req.id);
    expect(detail?.appName).toBe("Weather widget");
    expect(detail?.timeline.map((e) => [e.action, e.actorType])).toEqual([
      ["request.submitted", "user"],
      ["request.approved", "auto-approve"],
    ]);
  });

  it("requires the plan's fields and refuses unknown select values, writing nothing", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    await cartFor(u.id, ["payments"], "Enterprise");
    const before = await tableCounts();
    const attempt = (answers: Record<string, unknown>) =>
      submitRequest(t.db, { userId: u.id, baseUrl }, { appId: app.id, reason: "x" }, answers);
    await expect(attempt({})).rejects.toMatchObject({ fieldErrors: { "field.company": "Fill in “Company”." } });
    await expect(attempt({ company: "Acme", environment: "Staging" })).rejects.toMatchObject({
      fieldErrors: { "field.environment": expect.stringContaining("Choose one of the listed values") },
    });
    expect(await tableCounts()).toEqual(before);
    // The same refusals, for a form the schema refused for another field, against the cart as it is.
    expect(await cartFieldErrors(t.db, u.id, {})).toEqual({
      "field.company": "Fill in “Company”.",
      "field.environment": "Choose a value for “Environment”.",
    });
    expect(await cartFieldErrors(t.db, u.id, { "field.company": "Acme", "field.environment": "Production" })).toEqual({});
    // …and the plan's limits on start and duration, whatever the schema made of them.
    const past = new Date(Date.now() - 3 * 3600_000).toISOString().slice(0, 16);
    expect(await cartFieldErrors(t.db, u.id, { "field.company": "Acme", "field.environment": "Production", startsAt: past, durationDays: "9999" })).toEqual({
      startsAt: "The start cannot be in the past. Leave it empty to start now.",
      durationDays: expect.stringMatching(/^The Enterprise plan allows at most \d+ days\.$/),
    });
    expect(await cartFieldErrors(t.db, (await f.user()).id, {})).toEqual({});
    const ok = await attempt({ company: "Acme", environment: "Production" });
    expect(ok.fields).toEqual({ company: "Acme", environment: "Production" });
  });

  it("refuses another user's app and a duplicate of live access, with a link to the existing request", async () => {
    const a = await f.user();
    const b = await f.user();
    const appA = await f.app(a.id);
    await cartFor(b.id, ["geocoding"], "Standard");
    const before = await tableCounts();
    await expect(submitRequest(t.db, { userId: b.id, baseUrl }, { appId: appA.id, reason: "x" }, {})).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await tableCounts()).toEqual(before);

    const first = await pendingRequest(a.id, appA.id, ["routing"]);
    await cartFor(a.id, ["routing"], "Standard");
    const dup = submitRequest(t.db, { userId: a.id, baseUrl }, { appId: appA.id, reason: "again" }, {});
    await expect(dup).rejects.toMatchObject({ code: "conflict", link: { href: `/requests/${first.id}` } });
  });

  it("checks the duration against the plan", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    await cartFor(u.id, ["fx-rates"], "Free");
    await expect(
      submitRequest(t.db, { userId: u.id, baseUrl }, { appId: app.id, reason: "x", durationDays: 31 }, {}),
    ).rejects.toMatchObject({ fieldErrors: { durationDays: "The Free plan allows at most 30 days." } });
    const past = new Date(Date.now() - 3 * 3600_000).toISOString().slice(0, 16);
    await expect(
      submitRequest(t.db, { userId: u.id, baseUrl }, { appId: app.id, reason: "x", startsAt: past }, {}),
    ).rejects.toMatchObject({ fieldErrors: { startsAt: expect.stringContaining("past") } });
  });
});

describe("cancel, resubmit, remove", () => {
  let userId: string;
  let appId: string;
  beforeEach(async () => {
    const u = await f.user();
    userId = u.id;
    appId = (await f.app(u.id)).id;
  });

  it("20 concurrent cancels: exactly one wins, one audit event, the rest hear 'already cancelled'", async () => {
    const req = await pendingRequest(userId, appId);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => cancelRequest(t.db, userId, req.id)));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const l of lost) {
      expect(l.reason).toBeInstanceOf(DomainError);
      expect(l.reason.message).toBe("This request is already cancelled.");
    }
    expect(await auditCount(req.id, "request.cancelled")).toBe(1);
  });

  it("another user cannot cancel, resubmit or remove, and nothing is written", async () => {
    const req = await pendingRequest(userId, appId);
    const other = await f.user();
    const before = await tableCounts();
    await expect(cancelRequest(t.db, other.id, req.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(removeRequest(t.db, other.id, req.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(resubmitRequest(t.db, { userId: other.id, baseUrl }, req.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await getMyRequest(t.db, other.id, req.id)).toBeNull();
    expect(await tableCounts()).toEqual(before);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.status).toBe("pending");
  });

  it("resubmits a denied request once, as a new pending request linked to the old one", async () => {
    const req = await pendingRequest(userId, appId, ["payments"], "Standard");
    const owner = await f.owner();
    await t.db.transaction((tx) => applyTransition(tx, { requestId: req.id, transition: "deny", actorId: owner.id, comment: "Tell us more" }));
    await expect(cancelRequest(t.db, userId, req.id)).rejects.toThrow("This request is already denied.");

    const results = await Promise.allSettled([1, 2, 3].map(() => resubmitRequest(t.db, { userId, baseUrl }, req.id)));
    const created = results.filter((r) => r.status === "fulfilled");
    expect(created).toHaveLength(1);
    const fresh = (created[0] as PromiseFulfilledResult<{ id: string; status: string; resubmittedFromId: string | null }>).value;
    expect(fresh).toMatchObject({ status: "pending", resubmittedFromId: req.id });
    const old = await getMyRequest(t.db, userId, req.id);
    expect(old?.resubmittedAsId).toBe(fresh.id);
    expect(old?.timeline.map((e) => e.action)).toEqual(["request.submitted", "request.denied", "request.resubmitted"]);
    expect(old?.timeline[1]?.comment).toBe("Tell us more");
  });

  it("removes finished requests from My requests but keeps the record", async () => {
    const req = await pendingRequest(userId, appId, ["notifications"]);
    await expect(removeRequest(t.db, userId, req.id)).rejects.toThrow(/cannot be removed/);
    await cancelRequest(t.db, userId, req.id);
    await removeRequest(t.db, userId, req.id);
    expect((await listMyRequests(t.db, userId)).map((r) => r.id)).not.toContain(req.id);
    await expect(removeRequest(t.db, userId, req.id)).rejects.toMatchObject({ code: "not_found" });
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.hiddenAt).not.toBeNull();
    expect(await auditCount(req.id)).toBe(3);
  });

  it("keeps the plan as submitted when the plan changes later", async () => {
    const req = await pendingRequest(userId, appId, ["invoices"], "Standard");
    await t.sql`update plans set approvals_required = 3 where name = 'Standard'`;
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.plan.approvalsRequired).toBe(1);
    await t.sql`update plans set approvals_required = 1 where name = 'Standard'`;
  });
});
