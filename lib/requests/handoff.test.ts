import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, auditEvents, emailMessages, plans, productPlans, webhookEndpoints, webhookEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { queryQueue, queueDetail } from "@/lib/admin/queue-query";
import { parseQueueParams } from "@/lib/admin/queue-params";
import { decideRequests } from "./decide-requests";
import { fallBackHandoffs } from "./handoff-fallback";
import { handoffStatus } from "./handoff-status";
import { submitRequest } from "./submit-request";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const HOUR = 3_600_000;

/** An External plan on the payments product, handing off to a fresh endpoint. */
async function externalPlan(opts: { timeoutHours?: number; enabled?: boolean } = {}) {
  const [endpoint] = await t.db
    .insert(webhookEndpoints)
    .values({ name: `Billing ${randomUUID().slice(0, 8)}`, url: "https://billing.example.com/hooks", secret: "sealed", enabled: opts.enabled ?? true })
    .returning();
  if (!endpoint) throw new Error("no endpoint");
  const [plan] = await t.db
    .insert(plans)
    .values({ name: `External ${randomUUID().slice(0, 8)}`, handoffEndpointId: endpoint.id, handoffTimeoutHours: opts.timeoutHours ?? 72 })
    .returning();
  if (!plan) throw new Error("no plan");
  await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
  return { endpoint, plan };
}

async function submitOn(planId: string) {
  const consumer = await f.user();
  await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId });
  return submitRequest(t.db, { userId: consumer.id, baseUrl }, { newAppName: "Checkout", reason: "Paid plan" }, {});
}

const newRequestMails = (requestId: string) =>
  t.db
    .select()
    .from(emailMessages)
    .where(eq(emailMessages.template, "new-request"))
    .then((rows) => rows.filter((m) => JSON.stringify(m.props).includes(`/admin/requests/${requestId}`)));

const createdEvent = async (requestId: string) =>
  (await t.db.select().from(webhookEvents).where(eq(webhookEvents.type, "access_request.created")))
    .map((e) => JSON.parse(e.body) as { data: { request: { id: string }; handoff?: Record<string, unknown> } })
    .find((b) => b.data.request.id === requestId);

describe("External approval", () => {
  it("a request on an External plan stays pending, its approvers are not emailed yet, and access_request.created says it is handed off", async () => {
    const { endpoint, plan } = await externalPlan({ timeoutHours: 12 });
    const request = await submitOn(plan.id);
    expect(request.status).toBe("pending");
    expect(request.plan.handoff).toEqual({ endpointId: endpoint.id, endpointName: endpoint.name, timeoutHours: 12 });
    expect(await newRequestMails(request.id)).toEqual([]);
    const event = await createdEvent(request.id);
    expect(event?.data.handoff).toEqual({
      endpointId: endpoint.id,
      endpointName: endpoint.name,
      timeoutAt: new Date(request.createdAt.getTime() + 12 * HOUR).toISOString(),
      fellBackAt: null,
    });
    const waiting = { state: "waiting", endpointName: endpoint.name, timeoutAt: new Date(request.createdAt.getTime() + 12 * HOUR).toISOString() };
    expect(handoffStatus(request)).toEqual(waiting);
    // The queue and its detail panel show it as "Waiting for <endpoint>".
    const admin = await f.user("admin");
    const actor: Actor = { kind: "user", id: admin.id, role: "admin", disabled: false };
    const { rows } = await queryQueue(t.db, actor, parseQueueParams({ q: request.reason, size: "100" }));
    expect(rows.find((r) => r.id === request.id)?.handoff).toEqual(waiting);
    expect((await queueDetail(t.db, actor, request.id))?.handoff).toEqual(waiting);
  });

  it("an External plan whose endpoint is disabled hands nothing off: people decide, and are emailed at once", async () => {
    const { plan } = await externalPlan({ enabled: false });
    const request = await submitOn(plan.id);
    expect(request.plan.handoff).toBeUndefined();
    expect(handoffStatus(request)).toBeNull();
    expect((await newRequestMails(request.id)).length).toBeGreaterThan(0);
  });

  it("owners and admins can still decide a handed-off request", async () => {
    const { plan } = await externalPlan();
    const request = await submitOn(plan.id);
    const admin = await f.user("admin");
    const actor: Actor = { kind: "user", id: admin.id, role: "admin", disabled: false };
    const [outcome] = await decideRequests(t.db, actor, { requestIds: [request.id], decision: "approve", baseUrl });
    expect(outcome).toMatchObject({ requestId: request.id });
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("approved");
    expect(handoffStatus({ ...request, status: "approved" })).toBeNull();
  });

  it("after the hand-off timeout the request falls back to manual approval once: marked, audited, approvers emailed; decided ones are left alone", async () => {
    const { plan, endpoint } = await externalPlan({ timeoutHours: 2 });
    const waiting = await submitOn(plan.id);
    const decided = await submitOn(plan.id);
    await t.db.update(accessRequests).set({ status: "denied", decidedAt: new Date() }).where(eq(accessRequests.id, decided.id));
    const due = new Date(waiting.createdAt.getTime() + 2 * HOUR);

    // Not yet: a second before the timeout.
    expect(await fallBackHandoffs(t.db, baseUrl, new Date(due.getTime() - 1000))).not.toContain(waiting.id);
    expect((await t.db.select().from(accessRequests).where(eq(accessRequests.id, waiting.id)))[0]?.handoffFallbackAt).toBeNull();

    const later = new Date(due.getTime() + 1000);
    const fell = await fallBackHandoffs(t.db, baseUrl, later);
    expect(fell).toContain(waiting.id);
    expect(fell).not.toContain(decided.id);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, waiting.id));
    expect(row).toMatchObject({ status: "pending", handoffFallbackAt: later });
    expect(handoffStatus({ ...waiting, handoffFallbackAt: later })).toEqual({
      state: "fell_back",
      endpointName: endpoint.name,
      fellBackAt: later.toISOString(),
    });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(inArray(auditEvents.subjectId, [waiting.id, decided.id]), eq(auditEvents.action, "request.handoff_timed_out")))
      .orderBy(asc(auditEvents.id));
    expect(audit.map((e) => [e.subjectId, e.actorType])).toEqual([[waiting.id, "system"]]);
    expect(audit[0]?.comment).toMatch(/did not decide within 2 hours/);
    const mails = await newRequestMails(waiting.id);
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.map((m) => m.to)).toEqual(expect.arrayContaining(["owner@portico.dev"]));
    expect(mails[0]?.props).toMatchObject({ handoff: { endpointName: endpoint.name, timeoutHours: 2 } });
    expect(await newRequestMails(decided.id)).toEqual([]);

    // Once only: the next run (or a concurrent one) finds nothing to do.
    const [again, concurrent] = await Promise.all([fallBackHandoffs(t.db, baseUrl, new Date(later.getTime() + HOUR)), fallBackHandoffs(t.db, baseUrl, new Date(later.getTime() + HOUR))]);
    expect([...again, ...concurrent]).not.toContain(waiting.id);
    expect((await newRequestMails(waiting.id)).length).toBe(mails.length);
  });
});
