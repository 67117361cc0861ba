import { and, count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, plans, users, webhookEndpoints } from "@/db/schema";
import { apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
let admin: Awaited<ReturnType<ReturnType<typeof apiHarness>["token"]>>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
  admin = await api.token([{ role: "portal_admin" }]);
});

let n = 0;
const fresh = () => `Api plan ${Date.now().toString(36)} ${++n}`;
const planCount = async () => (await t.db.select({ n: count() }).from(plans))[0]?.n;
type Plan = { id: string; name: string; productIds: string[] };

async function auditOf(action: string, subjectId: string) {
  const [row] = await t.db
    .select({ actorId: auditEvents.actorId, name: users.name, kind: users.kind })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.action, action), eq(auditEvents.subjectId, subjectId)));
  return row;
}

describe("listPlans and getPlan", () => {
  it("a Portal viewer reads every plan, page by page", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    const all = await api.call(token, "GET", "/plans?limit=200");
    expect(all.status).toBe(200);
    const names = (all.body.items as Plan[]).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["Enterprise", "Free", "Standard"]));
    const first = await api.call(token, "GET", "/plans?limit=1");
    expect(first.headers.get("link")).toMatch(/rel="next"/);
    const second = await api.call(token, "GET", `/plans?limit=1&cursor=${String(first.body.next)}`);
    expect((second.body.items as Plan[])[0]?.name).toBe(names[1]);
    const one = await api.call(token, "GET", `/plans/${f.plan("Free").id}`);
    expect(one.body).toMatchObject({ name: "Free", id: f.plan("Free").id });
  });

  it("a Product viewer of Routing sees only the plans Routing offers, with only Routing among their products", async () => {
    const routing = f.product("routing");
    const { token } = await api.token([{ role: "product_viewer", products: [routing.id] }]);
    const list = await api.call(token, "GET", "/plans");
    const items = list.body.items as Plan[];
    expect(items.map((p) => p.name).sort()).toEqual(["Enterprise", "Standard"]);
    for (const p of items) expect(p.productIds).toEqual([routing.id]);
    // Free is offered by other products only
    expect((await api.call(token, "GET", `/plans/${f.plan("Free").id}`)).status).toBe(404);
    expect((await api.call(token, "GET", `/plans/${f.plan("Standard").id}`)).status).toBe(200);
  });
});

describe("createPlan", () => {
  it("creates a plan owned by the key's creator, audited with the key as the actor", async () => {
    const name = fresh();
    const res = await api.call(admin.token, "POST", "/plans", {
      name,
      keyLifetimeDays: 45,
      rateLimitPerMinute: 600,
      requestFields: [{ label: "Use case", type: "select", required: true, options: ["Web", "Mobile"] }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name,
      approvalsRequired: 1,
      keyLifetimeDays: 45,
      claimLinkLifetimeHours: 72,
      rateLimitPerMinute: 600,
      quotaPerMonth: null,
      requestFields: [{ key: "useCase", label: "Use case", type: "select", required: true, options: ["Web", "Mobile"] }],
      owner: { id: admin.admin.id },
      productIds: [],
    });
    expect(await auditOf("plan.created", String(res.body.id))).toEqual({ actorId: admin.key.serviceUserId, name: admin.key.name, kind: "service" });
  });

  it("422 with per-field errors (types at the door, rules from the plan form); nothing written", async () => {
    const before = await planCount();
    const types = await api.call(admin.token, "POST", "/plans", { name: fresh(), approvalsRequired: "two", extra: true });
    expect(types.status).toBe(422);
    expect((types.body.errors as { field: string }[]).map((e) => e.field)).toContain("approvalsRequired");
    const rules = await api.call(admin.token, "POST", "/plans", { name: fresh(), approvalsRequired: 9, keyLifetimeDays: 0, requestFields: [{ label: "Pick", type: "select" }] });
    expect(rules.status).toBe(422);
    expect((rules.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["approvalsRequired", "keyLifetimeDays", "requestFields.0.options"]);
    const taken = await api.call(admin.token, "POST", "/plans", { name: "free" });
    expect(taken.status).toBe(422);
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: "name" })]);
    const consumer = await f.user("consumer");
    const owner = await api.call(admin.token, "POST", "/plans", { name: fresh(), ownerEmail: consumer.email });
    expect(owner.status).toBe(422);
    expect(owner.body.errors).toEqual([expect.objectContaining({ field: "ownerEmail" })]);
    expect(await planCount()).toBe(before);
  });

  it("403 naming Portal admin for a Portal viewer and a Product approver; nothing written", async () => {
    const before = await planCount();
    for (const roles of [[{ role: "portal_viewer" as const }], [{ role: "product_approver" as const, products: "all" as const }]]) {
      const { token } = await api.token(roles);
      const res = await api.call(token, "POST", "/plans", { name: fresh() });
      expect(res.status).toBe(403);
      expect(res.body.requiredRoles).toEqual(["portal_admin"]);
    }
    expect(await planCount()).toBe(before);
  });
});

describe("updatePlan", () => {
  it("changes only the fields sent, audited as the key", async () => {
    const made = await api.call(admin.token, "POST", "/plans", { name: fresh(), keyLifetimeDays: null, quotaPerMonth: 1000, reviewRequired: true });
    const id = String(made.body.id);
    const res = await api.call(admin.token, "PATCH", `/plans/${id}`, { approvalsRequired: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ approvalsRequired: 2, keyLifetimeDays: null, quotaPerMonth: 1000, reviewRequired: true, name: made.body.name });
    expect(await auditOf("plan.updated", id)).toMatchObject({ actorId: admin.key.serviceUserId, name: admin.key.name });
  });

  it("404 for an unknown plan; 403 for a Portal viewer with the row unchanged; 422 on a bad value", async () => {
    expect((await api.call(admin.token, "PATCH", `/plans/${crypto.randomUUID()}`, { approvalsRequired: 2 })).status).toBe(404);
    const free = f.plan("Free");
    const viewer = await api.token([{ role: "portal_viewer" }]);
    const refused = await api.call(viewer.token, "PATCH", `/plans/${free.id}`, { autoApprove: true });
    expect(refused.status).toBe(403);
    const bad = await api.call(admin.token, "PATCH", `/plans/${free.id}`, { claimLinkLifetimeHours: 100000 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: "claimLinkLifetimeHours" })]);
    const [row] = await t.db.select().from(plans).where(eq(plans.id, free.id));
    expect(row?.autoApprove).toBe(free.autoApprove);
    expect(row?.claimLinkLifetimeHours).toBe(free.claimLinkLifetimeHours);
  });
});

describe("reminder schedule and roll grace through the API", () => {
  it("defaults to 30/7/1/0 and 168 h; a PATCH sets them (deduplicated, largest first); bad values are refused beside their field, nothing written", async () => {
    const made = await api.call(admin.token, "POST", "/plans", { name: fresh() });
    expect(made.body).toMatchObject({ reminderDays: [30, 7, 1, 0], maxGraceHours: 168 });
    const id = String(made.body.id);
    const res = await api.call(admin.token, "PATCH", `/plans/${id}`, { reminderDays: [1, 14, 1, 0], maxGraceHours: 24 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ reminderDays: [14, 1, 0], maxGraceHours: 24 });
    const bad = await api.call(admin.token, "PATCH", `/plans/${id}`, { reminderDays: [400, 7], maxGraceHours: 1000 });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["maxGraceHours", "reminderDays"]);
    const tooMany = await api.call(admin.token, "PATCH", `/plans/${id}`, { reminderDays: [60, 30, 14, 7, 3, 1, 0] });
    expect(tooMany.status).toBe(422);
    const [row] = await t.db.select().from(plans).where(eq(plans.id, id));
    expect(row).toMatchObject({ reminderDays: [14, 1, 0], maxGraceHours: 24 });
  });
});

describe("External approval and redirect through the API", () => {
  it("creates an External plan, switches it to automatic only when the endpoint is dropped, and refuses a bad redirect beside its field", async () => {
    const [endpoint] = await t.db.insert(webhookEndpoints).values({ name: `Billing ${fresh()}`, url: "https://billing.example.com/hooks", secret: "sealed" }).returning();
    if (!endpoint) throw new Error("no endpoint");
    const made = await api.call(admin.token, "POST", "/plans", { name: fresh(), handoffEndpointId: endpoint.id, handoffTimeoutHours: 24, redirectUrl: "https://billing.example.com/checkout" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ autoApprove: false, handoffEndpointId: endpoint.id, handoffTimeoutHours: 24, redirectUrl: "https://billing.example.com/checkout" });
    const id = String(made.body.id);

    const before = await planCount();
    const clash = await api.call(admin.token, "PATCH", `/plans/${id}`, { autoApprove: true });
    expect(clash.status).toBe(422);
    expect(clash.body.errors).toEqual([expect.objectContaining({ field: "handoffEndpointId", detail: expect.stringMatching(/exclude each other/) })]);
    const badUrl = await api.call(admin.token, "POST", "/plans", { name: fresh(), redirectUrl: "http://billing.example.com/checkout" });
    expect(badUrl.status).toBe(422);
    expect(badUrl.body.errors).toEqual([expect.objectContaining({ field: "redirectUrl", detail: expect.stringMatching(/https/) })]);
    expect(await planCount()).toBe(before);

    const automatic = await api.call(admin.token, "PATCH", `/plans/${id}`, { autoApprove: true, handoffEndpointId: null, redirectUrl: null });
    expect(automatic.status).toBe(200);
    expect(automatic.body).toMatchObject({ autoApprove: true, handoffEndpointId: null, handoffTimeoutHours: 24, redirectUrl: null });
  });
});
