import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accessRequests, auditEvents, plans, productPlans, webhookEndpoints } from "@/db/schema";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { addToCart } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { createPlan } from "./create-plan";
import { getEditablePlan } from "./get-plan";
import { listPlansFor } from "./list-plans";
import { keyFromLabel, planFormValues, planSchema } from "./plan-schema";
import { updatePlan } from "./update-plan";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);

const counts = async () => {
  const [row] = await t.sql`select
    (select count(*)::int from plans) as plans,
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from access_requests) as requests`;
  return row;
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DomainError);
      return e as DomainError;
    },
  );
const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }) => ({ kind: "user" as const, id: u.id, role: u.role, disabled: false });

/** What the plan form posts: FormData strings, the field list as JSON. */
const form = (overrides: Record<string, unknown> = {}) => ({
  name: `Plan ${randomUUID().slice(0, 8)}`,
  description: "",
  autoApprove: "false",
  approvalsRequired: "1",
  keyLifetime: "180",
  customKeyLifetimeDays: "",
  claimLinkLifetimeHours: "72",
  rateLimitPerMinute: "",
  quotaPerMonth: "",
  reviewRequired: "false",
  reviewCommentRequired: "false",
  requestFields: "[]",
  ...overrides,
});

const TWO_FIELDS = JSON.stringify([
  { label: "Company name", type: "text", required: true, options: "" },
  { label: "Environment", type: "select", required: true, options: "Sandbox\nProduction\n\nSandbox" },
]);

describe("plans", () => {
  it("an owner creates a plan they own, with request fields keyed from their labels, audited", async () => {
    const owner = asActor(await f.user("owner"));
    const plan = await createPlan(t.db, owner, form({ requestFields: TWO_FIELDS, rateLimitPerMinute: "120", keyLifetime: "custom", customKeyLifetimeDays: "45" }));
    expect(plan).toMatchObject({
      ownerId: owner.id,
      autoApprove: false,
      approvalsRequired: 1,
      keyLifetimeDays: 45,
      claimLinkLifetimeHours: 72,
      rateLimitPerMinute: 120,
      quotaPerMonth: null,
      requestFields: [
        { key: "companyName", label: "Company name", type: "text", required: true },
        { key: "environment", label: "Environment", type: "select", required: true, options: ["Sandbox", "Production"] },
      ],
    });
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, plan.id));
    expect(events.map((e) => [e.action, e.subjectType, e.actorId])).toEqual([["plan.created", "plan", owner.id]]);
    // The form shows the stored plan as it was typed.
    expect(planFormValues(plan)).toMatchObject({ keyLifetime: "custom", customKeyLifetimeDays: "45", requestFields: [{ options: "" }, { options: "Sandbox\nProduction" }] });
  });

  it("defaults: 180-day keys, 72-hour claim links, no expiry when asked", async () => {
    const owner = asActor(await f.user("owner"));
    expect(await createPlan(t.db, owner, form())).toMatchObject({ keyLifetimeDays: 180, claimLinkLifetimeHours: 72 });
    expect(await createPlan(t.db, owner, form({ keyLifetime: "none" }))).toMatchObject({ keyLifetimeDays: null });
    expect(planFormValues()).toMatchObject({ keyLifetime: "180", claimLinkLifetimeHours: "72", approvalsRequired: "1" });
  });

  it("owners edit their own plans; other owners and consumers cannot; shared plans are for admins", async () => {
    const alice = asActor(await f.user("owner"));
    const bob = asActor(await f.user("owner"));
    const consumer = asActor(await f.user("consumer"));
    const admin = asActor(await f.user("admin"));
    const plan = await createPlan(t.db, alice, form());
    const free = f.plan("Free");

    const before = await counts();
    const rows = await t.db.select().from(plans).orderBy(asc(plans.id));
    expect((await failure(updatePlan(t.db, bob, plan.id, form({ name: "Taken over" })))).code).toBe("not_found");
    expect((await failure(updatePlan(t.db, alice, free.id, form({ name: "Free", autoApprove: "false" })))).code).toBe("not_found");
    expect((await failure(updatePlan(t.db, consumer, plan.id, form()))).code).toBe("forbidden");
    expect((await failure(createPlan(t.db, consumer, form()))).code).toBe("forbidden");
    expect(await getEditablePlan(t.db, bob, plan.id)).toBeNull();
    expect(await getEditablePlan(t.db, alice, free.id)).toBeNull();
    expect(await counts()).toEqual(before);
    expect(await t.db.select().from(plans).orderBy(asc(plans.id))).toEqual(rows);

    const renamed = await updatePlan(t.db, alice, plan.id, form({ name: `${plan.name} v2`, approvalsRequired: "3" }));
    expect(renamed).toMatchObject({ name: `${plan.name} v2`, approvalsRequired: 3 });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "plan.updated")).orderBy(asc(auditEvents.id));
    expect(event).toMatchObject({ subjectType: "plan", subjectId: plan.id, actorId: alice.id, data: { changed: ["name", "approvalsRequired"], from: { approvalsRequired: 1 }, to: { approvalsRequired: 3 } } });

    const adminEdit = planFormValues(free);
    const edited = await updatePlan(t.db, admin, free.id, { ...adminEdit, description: "Edited by an admin." });
    expect(edited.description).toBe("Edited by an admin.");

    const listed = await listPlansFor(t.db, alice);
    expect(listed.find((p) => p.id === plan.id)?.editable).toBe(true);
    expect(listed.find((p) => p.id === free.id)?.editable).toBe(false);
    expect((await listPlansFor(t.db, bob)).some((p) => p.id === plan.id)).toBe(false);
  });

  it("changing a plan never changes requests already submitted", async () => {
    const owner = asActor(await f.owner());
    const plan = await createPlan(t.db, owner, form({ requestFields: TWO_FIELDS, reviewRequired: "true", reviewCommentRequired: "true" }));
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const consumer = await f.user("consumer");
    await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(
      t.db,
      { userId: consumer.id, baseUrl: "http://localhost" },
      { newAppName: "Snapshot app", reason: "Testing" },
      { companyName: "Acme", environment: "Sandbox" },
    );
    const [submitted] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(submitted?.plan).toMatchObject({ name: plan.name, approvalsRequired: 1, reviewRequired: true, reviewCommentRequired: true, keyLifetimeDays: 180 });

    await updatePlan(
      t.db,
      owner,
      plan.id,
      form({
        name: `${plan.name} (changed)`,
        autoApprove: "true",
        approvalsRequired: "5",
        keyLifetime: "30",
        claimLinkLifetimeHours: "1",
        rateLimitPerMinute: "1",
        quotaPerMonth: "1",
        reviewRequired: "false",
        requestFields: JSON.stringify([{ label: "Something else", type: "textarea", required: true }]),
      }),
    );
    const [after] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(after?.plan).toEqual(submitted?.plan);
    expect(after?.fields).toEqual({ companyName: "Acme", environment: "Sandbox" });
    expect(after?.status).toBe("pending");
  });
});

/** A webhook endpoint as an admin would have added it (its secret is never used here). */
async function endpoint(values: { enabled?: boolean; eventTypes?: string[] | null } = {}) {
  const [row] = await t.db
    .insert(webhookEndpoints)
    .values({ name: `Billing ${randomUUID().slice(0, 8)}`, url: "https://billing.example.com/hooks", secret: "sealed", ...values })
    .returning();
  if (!row) throw new Error("no endpoint");
  return row;
}

describe("External approval and redirect after submit", () => {
  it("an External plan names an enabled endpoint and a timeout; the form shows it back; edits are audited", async () => {
    const owner = asActor(await f.user("owner"));
    const billing = await endpoint();
    const plan = await createPlan(t.db, owner, form({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "24", redirectUrl: "https://billing.example.com/checkout?x=1" }));
    expect(plan).toMatchObject({ autoApprove: false, handoffEndpointId: billing.id, handoffTimeoutHours: 24, redirectUrl: "https://billing.example.com/checkout?x=1" });
    expect(planFormValues(plan)).toMatchObject({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "24", redirectUrl: "https://billing.example.com/checkout?x=1" });
    // Defaults: manual, 72 hours, no redirect.
    const plain = await createPlan(t.db, owner, form());
    expect(plain).toMatchObject({ autoApprove: false, handoffEndpointId: null, handoffTimeoutHours: 72, redirectUrl: null });
    expect(planFormValues(plain)).toMatchObject({ approval: "manual", handoffEndpointId: "", handoffTimeoutHours: "72", redirectUrl: "" });
    // The REST API's and older callers' way (autoApprove + handoffEndpointId) reads the same.
    expect(await createPlan(t.db, owner, form({ handoffEndpointId: billing.id }))).toMatchObject({ handoffEndpointId: billing.id, autoApprove: false });
    expect(await createPlan(t.db, owner, form({ autoApprove: "true" }))).toMatchObject({ handoffEndpointId: null, autoApprove: true });

    // Not an endpoint id (the fuzz below once found "a\u0000b" failing the database's lookup): refused, nothing written.
    for (const bad of ["a\u0000b", "not-an-id", "1 or 1=1"]) {
      await expect(createPlan(t.db, owner, form({ name: `Bad endpoint ${bad.length}`, handoffEndpointId: bad }))).rejects.toMatchObject({
        fieldErrors: { handoffEndpointId: "Choose a webhook endpoint from the list." },
      });
    }

    // Switching to Automatic drops the endpoint, even if the form still holds it.
    const automatic = await updatePlan(t.db, owner, plan.id, form({ name: plan.name, approval: "automatic", handoffEndpointId: billing.id, handoffTimeoutHours: "24" }));
    expect(automatic).toMatchObject({ autoApprove: true, handoffEndpointId: null, redirectUrl: null });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, plan.id)).orderBy(asc(auditEvents.id)).offset(1);
    expect(event?.data).toMatchObject({ changed: ["autoApprove", "handoffEndpointId", "redirectUrl"], from: { handoffEndpointId: billing.id }, to: { handoffEndpointId: null } });
  });

  it("a plan whose endpoint was disabled later still saves; choosing a disabled endpoint does not", async () => {
    const owner = asActor(await f.user("owner"));
    const billing = await endpoint();
    const plan = await createPlan(t.db, owner, form({ approval: "external", handoffEndpointId: billing.id }));
    await t.db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.id, billing.id));
    expect(await updatePlan(t.db, owner, plan.id, form({ name: plan.name, approval: "external", handoffEndpointId: billing.id, description: "Still saves" }))).toMatchObject({
      description: "Still saves",
      handoffEndpointId: billing.id,
    });
    const other = await createPlan(t.db, owner, form());
    const error = await failure(updatePlan(t.db, owner, other.id, form({ name: other.name, approval: "external", handoffEndpointId: billing.id })));
    expect(error.fieldErrors?.handoffEndpointId).toMatch(/disabled/);
  });

  it("refuses each mistake beside its field, and writes nothing", async () => {
    const owner = asActor(await f.user("owner"));
    const billing = await endpoint();
    const disabled = await endpoint({ enabled: false });
    const deaf = await endpoint({ eventTypes: ["key.created"] });
    const existing = await createPlan(t.db, owner, form());
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [form({ approval: "external" }), "handoffEndpointId", /Choose the webhook endpoint/],
      [form({ approval: "external", handoffEndpointId: "" }), "handoffEndpointId", /Choose the webhook endpoint/],
      [form({ approval: "external", handoffEndpointId: randomUUID() }), "handoffEndpointId", /no longer exists/],
      [form({ approval: "external", handoffEndpointId: "x".repeat(101) }), "handoffEndpointId", /from the list/],
      [form({ approval: "external", handoffEndpointId: disabled.id }), "handoffEndpointId", /disabled/],
      [form({ approval: "external", handoffEndpointId: deaf.id }), "handoffEndpointId", /access_request\.created/],
      [form({ approval: "external", handoffEndpointId: billing.id, autoApprove: "true" }), "approval", /exclude each other/],
      [form({ handoffEndpointId: billing.id, autoApprove: "true" }), "approval", /exclude each other/],
      [form({ approval: "sometimes" }), "approval", /manual, automatic or external/],
      [form({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "0" }), "handoffTimeoutHours", /from 1 to 720/],
      [form({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "721" }), "handoffTimeoutHours", /from 1 to 720/],
      [form({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "1.5" }), "handoffTimeoutHours", /whole number/],
      [form({ redirectUrl: "billing.example.com/checkout" }), "redirectUrl", /full URL/],
      [form({ redirectUrl: "javascript:alert(1)" }), "redirectUrl", /https:\/\//],
      [form({ redirectUrl: "ftp://billing.example.com/" }), "redirectUrl", /https:\/\//],
      [form({ redirectUrl: "http://billing.example.com/checkout" }), "redirectUrl", /PORTICO_WEBHOOK_ALLOW_HTTP/],
      [form({ redirectUrl: "https://user:pw@billing.example.com/" }), "redirectUrl", /credentials/],
      [form({ redirectUrl: "https://billing.example.com/#pay" }), "redirectUrl", /fragment/],
      [form({ redirectUrl: `https://billing.example.com/${"a".repeat(2000)}` }), "redirectUrl", /2,000/],
      [form({ approval: "automatic", redirectUrl: "https://billing.example.com/checkout" }), "redirectUrl", /approves automatically/],
    ];
    const before = await counts();
    const [row] = await t.db.select().from(plans).where(eq(plans.id, existing.id));
    for (const [input, field, message] of cases) {
      const error = await failure(createPlan(t.db, owner, input));
      expect(error.fieldErrors?.[field], `${field}: ${JSON.stringify(error.fieldErrors)}`).toMatch(message);
      const onEdit = await failure(updatePlan(t.db, owner, existing.id, { ...input, name: existing.name }));
      expect(onEdit.fieldErrors?.[field], `${field} (edit): ${JSON.stringify(onEdit.fieldErrors)}`).toMatch(message);
    }
    expect(await counts()).toEqual(before);
    expect((await t.db.select().from(plans).where(eq(plans.id, existing.id)))[0]).toEqual(row);
  });

  it("http redirects are allowed when PORTICO_WEBHOOK_ALLOW_HTTP=on", async () => {
    const owner = asActor(await f.user("owner"));
    process.env.PORTICO_WEBHOOK_ALLOW_HTTP = "on";
    try {
      expect(await createPlan(t.db, owner, form({ redirectUrl: "http://127.0.0.1:9999/checkout" }))).toMatchObject({ redirectUrl: "http://127.0.0.1:9999/checkout" });
    } finally {
      delete process.env.PORTICO_WEBHOOK_ALLOW_HTTP;
    }
  });

  it("a request keeps the hand-off and redirect it was submitted under; later plan edits or a renamed endpoint never change it", async () => {
    const owner = asActor(await f.owner());
    const billing = await endpoint();
    const plan = await createPlan(t.db, owner, form({ approval: "external", handoffEndpointId: billing.id, handoffTimeoutHours: "12", redirectUrl: "https://billing.example.com/checkout" }));
    await t.db.insert(productPlans).values({ productId: f.product("payments").id, planId: plan.id });
    const consumer = await f.user("consumer");
    await addToCart(t.db, consumer.id, { productId: f.product("payments").id, planId: plan.id });
    const request = await submitRequest(t.db, { userId: consumer.id, baseUrl: "http://localhost" }, { newAppName: "Handoff app", reason: "Testing" }, {});
    const [submitted] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(submitted?.plan).toMatchObject({
      autoApprove: false,
      handoff: { endpointId: billing.id, endpointName: billing.name, timeoutHours: 12 },
      redirectUrl: "https://billing.example.com/checkout",
    });
    await updatePlan(t.db, owner, plan.id, form({ name: plan.name, approval: "automatic" }));
    await t.db.update(webhookEndpoints).set({ name: `${billing.name} renamed` }).where(eq(webhookEndpoints.id, billing.id));
    const [after] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(after?.plan).toEqual(submitted?.plan);
    expect(after?.status).toBe("pending");
  });
});

describe("bad input writes nothing", () => {
  it("answers each mistake beside its field", async () => {
    const owner = asActor(await f.user("owner"));
    const existing = await createPlan(t.db, owner, form());
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [form({ approvalsRequired: "0" }), "approvalsRequired", /from 1 to 5/],
      [form({ approvalsRequired: "99" }), "approvalsRequired", /from 1 to 5/],
      [form({ approvalsRequired: "1.5" }), "approvalsRequired", /whole number/],
      [form({ claimLinkLifetimeHours: "-1" }), "claimLinkLifetimeHours", /positive/],
      [form({ claimLinkLifetimeHours: "" }), "claimLinkLifetimeHours", /Enter the claim link lifetime/],
      [form({ keyLifetime: "custom", customKeyLifetimeDays: "-30" }), "customKeyLifetimeDays", /positive/],
      [form({ keyLifetime: "custom", customKeyLifetimeDays: "" }), "customKeyLifetimeDays", /Enter the key lifetime/],
      [form({ keyLifetime: "-180" }), "keyLifetime", /how long keys last/],
      [form({ rateLimitPerMinute: "-5" }), "rateLimitPerMinute", /positive/],
      [form({ quotaPerMonth: "0" }), "quotaPerMonth", /positive/],
      [form({ quotaPerMonth: "9999999999" }), "quotaPerMonth", /at most/],
      // Whole, but past 12 digits: too large, not "not a whole number".
      [form({ rateLimitPerMinute: "99999999999999999999" }), "rateLimitPerMinute", /can be at most/],
      [form({ approvalsRequired: "99999999999999999999" }), "approvalsRequired", /from 1 to 5/],
      [form({ rateLimitPerMinute: "-99999999999999999999" }), "rateLimitPerMinute", /positive/],
      [form({ requestFields: JSON.stringify([{ label: "Env", type: "select", required: true, options: "" }]) }), "requestFields.0.options", /at least one option/],
      [form({ requestFields: JSON.stringify([{ label: "Env", type: "select", required: true, options: " \n \n" }]) }), "requestFields.0.options", /at least one option/],
      [form({ requestFields: JSON.stringify([{ label: "Use case", type: "text" }, { label: "use-case", type: "textarea" }]) }), "requestFields.1.label", /same as field 1/],
      [form({ requestFields: JSON.stringify([{ label: "", type: "text" }]) }), "requestFields.0.label", /label/],
      [form({ requestFields: "{not json" }), "requestFields", /could not be read/],
      [form({ name: existing.name.toUpperCase() }), "name", /already exists/],
      [form({ name: "Free" }), "name", /already exists/],
      [form({ name: " " }), "name", /Give the plan a name/],
    ];
    const before = await counts();
    for (const [input, field, message] of cases) {
      const error = await failure(createPlan(t.db, owner, input));
      expect(error.fieldErrors?.[field], `${field}: ${JSON.stringify(error.fieldErrors)}`).toMatch(message);
    }
    // The same on edit: the plan stays as it was.
    const [row] = await t.db.select().from(plans).where(eq(plans.id, existing.id));
    for (const [input, field, message] of cases.filter(([, field]) => field !== "name")) {
      const error = await failure(updatePlan(t.db, owner, existing.id, input));
      expect(error.fieldErrors?.[field], field).toMatch(message);
    }
    expect(await counts()).toEqual(before);
    expect((await t.db.select().from(plans).where(eq(plans.id, existing.id)))[0]).toEqual(row);

    // Every mistake at once, not the cross-field ones only after the rest are fixed.
    const many = await failure(
      createPlan(t.db, owner, form({ name: " ", approvalsRequired: "0", keyLifetime: "custom", customKeyLifetimeDays: "", requestFields: JSON.stringify([{ label: "Env", type: "select", required: true, options: "" }]) })),
    );
    expect(Object.keys(many.fieldErrors ?? {}).sort()).toEqual(["approvalsRequired", "customKeyLifetimeDays", "name", "requestFields.0.options"]);
    expect(many.fieldErrors?.customKeyLifetimeDays).toMatch(/Enter the key lifetime/);
  });

  it("keys come from labels", () => {
    expect(keyFromLabel("Describe your use case")).toBe("describeYourUseCase");
    expect(keyFromLabel("  Société — ID #2 ")).toBe("societeId2");
    expect(keyFromLabel("东京")).toBe("");
    expect(planSchema.parse(form({ requestFields: JSON.stringify([{ label: "东京", type: "text" }]) })).requestFields[0]?.key).toBe("field1");
    // Leading zeros change nothing, however many.
    expect(planSchema.parse(form({ approvalsRequired: "0000000000003" })).approvalsRequired).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz
// ---------------------------------------------------------------------------------------------

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", "<b>x</b>", "'; drop table plans; --", "a\u0000b", "Free", "0", "-1", "1.5", "1e3", "0x10", "5", "99", "true", "on", "NaN", "Infinity", "[]", "[{}]"),
  fc.string(),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);
const fieldLike = fc.record(
  {
    label: fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 20 })),
    type: fc.oneof(nasty, fc.constantFrom("text", "textarea", "select")),
    required: fc.oneof(nasty, fc.boolean()),
    options: fc.oneof(nasty, fc.constantFrom("A\nB", "", "x")),
  },
  { requiredKeys: [] },
);
const FIELDS = [
  "name",
  "description",
  "approval",
  "autoApprove",
  "handoffEndpointId",
  "handoffTimeoutHours",
  "redirectUrl",
  "approvalsRequired",
  "keyLifetime",
  "customKeyLifetimeDays",
  "claimLinkLifetimeHours",
  "rateLimitPerMinute",
  "quotaPerMonth",
  "reviewRequired",
  "reviewCommentRequired",
  "requestFields",
] as const;
const planLike = fc.record(
  {
    name: fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 20 })),
    description: nasty,
    autoApprove: nasty,
    approval: fc.oneof(nasty, fc.constantFrom("manual", "automatic", "external")),
    handoffEndpointId: fc.oneof(nasty, fc.uuid()),
    handoffTimeoutHours: fc.oneof(nasty, fc.integer({ min: -10, max: 800 }).map(String)),
    redirectUrl: fc.oneof(nasty, fc.webUrl()),
    approvalsRequired: fc.oneof(nasty, fc.integer({ min: -3, max: 8 }).map(String)),
    keyLifetime: fc.oneof(nasty, fc.constantFrom("30", "90", "180", "365", "custom", "none")),
    customKeyLifetimeDays: fc.oneof(nasty, fc.integer({ min: -10, max: 4000 }).map(String)),
    claimLinkLifetimeHours: fc.oneof(nasty, fc.integer({ min: -10, max: 800 }).map(String)),
    rateLimitPerMinute: nasty,
    quotaPerMonth: nasty,
    reviewRequired: nasty,
    reviewCommentRequired: nasty,
    requestFields: fc.oneof(nasty, fc.array(fieldLike, { maxLength: 4 }), fc.array(fieldLike, { maxLength: 4 }).map((a) => JSON.stringify(a))),
  },
  { requiredKeys: [] },
);

describe("planSchema (fuzz)", () => {
  it("fails with messages on known fields only, or yields values the database accepts", () => {
    fc.assert(
      fc.property(planLike, (input) => {
        const result = planSchema.safeParse(input);
        if (!result.success) {
          for (const key of Object.keys(fieldErrorsOf(result.error))) expect(FIELDS).toContain(key.split(".")[0]);
          return;
        }
        const p = result.data;
        expect(p.approvalsRequired).toBeGreaterThanOrEqual(1);
        expect(p.approvalsRequired).toBeLessThanOrEqual(5);
        expect(p.claimLinkLifetimeHours).toBeGreaterThanOrEqual(1);
        if (p.keyLifetimeDays !== null) expect(p.keyLifetimeDays).toBeGreaterThanOrEqual(1);
        for (const n of [p.rateLimitPerMinute, p.quotaPerMonth]) if (n !== null) expect(n).toBeLessThanOrEqual(2_147_483_647);
        expect(new Set(p.requestFields.map((r) => r.key)).size).toBe(p.requestFields.length);
        for (const r of p.requestFields) {
          expect(r.key.length).toBeGreaterThan(0);
          if (r.type === "select") expect(r.options?.length).toBeGreaterThan(0);
        }
        if (!p.reviewRequired) expect(p.reviewCommentRequired).toBe(false);
        expect(p.handoffTimeoutHours).toBeGreaterThanOrEqual(1);
        expect(p.handoffTimeoutHours).toBeLessThanOrEqual(720);
        if (p.handoffEndpointId) expect(p.autoApprove).toBe(false);
        if (p.redirectUrl) expect(p.redirectUrl).toMatch(/^https?:\/\//);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("createPlan (fuzz, real database)", () => {
  it("either saves or refuses with a DomainError, and a refusal writes nothing", async () => {
    const owner = asActor(await f.user("owner"));
    // A valid form with one or two fields replaced by hostile values, so both outcomes happen.
    const nearlyValid = fc
      .tuple(planLike, fc.subarray([...FIELDS], { maxLength: 2 }))
      .map(([fuzz, keys]) => ({ ...form(), ...Object.fromEntries(keys.filter((k) => k in fuzz).map((k) => [k, fuzz[k]])) }));
    let saved = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValid, async (input) => {
        const before = await counts();
        const error = await createPlan(t.db, owner, input).then(
          () => null,
          (e: unknown) => e,
        );
        if (error === null) {
          saved++;
          return;
        }
        expect(error, String(error)).toBeInstanceOf(DomainError);
        expect(await counts()).toEqual(before);
      }),
      { numRuns: 300 },
    );
    expect(saved).toBeGreaterThan(0);
  });
});

describe("reminder days and roll grace", () => {
  const parse = (o: Record<string, unknown>) => planSchema.safeParse(form(o));
  const errors = (r: ReturnType<typeof parse>) => (r.success ? {} : fieldErrorsOf(r.error));
  it("reads the reminder days as whole days 0–365, deduplicated, largest first, at most six; empty means none", () => {
    expect(parse({ reminderDays: "1, 30 7,7;0" }).data).toMatchObject({ reminderDays: [30, 7, 1, 0] });
    expect(parse({ reminderDays: "" }).data).toMatchObject({ reminderDays: [] });
    expect(parse({}).data).toMatchObject({ reminderDays: [30, 7, 1, 0], maxGraceHours: 168 });
    for (const bad of ["366", "-1", "1.5", "seven", "60, 30, 14, 7, 3, 1, 0"]) {
      const r = parse({ reminderDays: bad });
      expect(r.success, bad).toBe(false);
      expect(errors(r).reminderDays, bad).toMatch(/day|reminders/);
    }
  });

  it("bounds the longest grace after a roll to 0–720 hours", () => {
    expect(parse({ maxGraceHours: "0" }).data).toMatchObject({ maxGraceHours: 0 });
    expect(parse({ maxGraceHours: "720" }).data).toMatchObject({ maxGraceHours: 720 });
    const r = parse({ maxGraceHours: "721" });
    expect(errors(r).maxGraceHours).toBe("The longest grace after a roll (hours) must be from 0 to 720.");
  });

  it("saves both, audited, and a new request's snapshot carries them", async () => {
    const admin = await f.user("admin");
    const plan = await createPlan(t.db, asActor(admin), form({ reminderDays: "14, 2", maxGraceHours: "24" }));
    expect(plan).toMatchObject({ reminderDays: [14, 2], maxGraceHours: 24 });
    const updated = await updatePlan(t.db, asActor(admin), plan.id, form({ name: plan.name, reminderDays: "3", maxGraceHours: "1" }));
    expect(updated).toMatchObject({ reminderDays: [3], maxGraceHours: 1 });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, plan.id)).orderBy(asc(auditEvents.createdAt)).offset(1);
    expect(event?.data).toMatchObject({ changed: ["reminderDays", "maxGraceHours"], to: { reminderDays: [3], maxGraceHours: 1 } });
    expect(planFormValues(updated)).toMatchObject({ reminderDays: "3", maxGraceHours: "1" });
  });
});

describe("who enforces the limits", () => {
  const parse = (o: Record<string, unknown>) => planSchema.safeParse(form(o));
  it("Portico unless the form or the API says the gateway; anything else is refused with what to choose", async () => {
    expect(parse({}).data).toMatchObject({ enforceLimits: true });
    expect(parse({ enforceLimits: "portico" }).data).toMatchObject({ enforceLimits: true });
    expect(parse({ enforceLimits: "gateway" }).data).toMatchObject({ enforceLimits: false });
    expect(parse({ enforceLimits: false }).data).toMatchObject({ enforceLimits: false });
    const bad = parse({ enforceLimits: "nobody" });
    expect(bad.success ? {} : fieldErrorsOf(bad.error)).toMatchObject({ enforceLimits: expect.stringContaining("Choose who enforces") });
    const admin = await f.user("admin");
    const plan = await createPlan(t.db, asActor(admin), form({ enforceLimits: "gateway", rateLimitPerMinute: "60" }));
    expect(plan.enforceLimits).toBe(false);
    expect(planFormValues(plan)).toMatchObject({ enforceLimits: "gateway" });
    const updated = await updatePlan(t.db, asActor(admin), plan.id, form({ name: plan.name, enforceLimits: "portico", rateLimitPerMinute: "60" }));
    expect(updated.enforceLimits).toBe(true);
  });
});
