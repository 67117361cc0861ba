import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestField } from "@/db/schema";
import { accessRequests, apps } from "@/db/schema";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { addToCart } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { MAX_FIELD_LENGTH, requestFieldsSchema } from "./request-fields";
import { cancelRequest, removeRequest, resubmitRequest } from "./requester-actions";
import { applyTransition } from "./state-machine";
import { scheduleFor, submitRequest } from "./submit-request";
import { type SubmitRequestInput, fieldAnswersFrom, submitRequestSchema } from "./submit-schema";

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const XSS = "<script>alert(1)</script>";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** zod 4 counts string limits in code points, so an emoji counts once. */
const chars = (s: string) => [...s].length;
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/;

const datetimeString = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true })
  .chain((d) => fc.constantFrom(16, 19, 23, 24).map((n) => d.toISOString().slice(0, n)));

/** Values a hostile or broken client might put in any form field. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", "\t\n", XSS, `"><img src=x onerror=alert(1)>`, "'; drop table access_requests; --", "null", "undefined"),
  fc.constantFrom("a".repeat(10_000), " ".repeat(5000) + "x", "é".repeat(2001), "😀".repeat(1001)),
  fc.constantFrom("30", "0", "-1", "1.5", "3650", "3651", "1e3", " 12 ", "0x10", "Infinity", "NaN"),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.uuid(),
  datetimeString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

const SUBMIT_FIELDS = ["appId", "newAppName", "reason", "startsAt", "durationDays"] as const;

const submitLike = fc
  .tuple(
    fc.record(
      {
        appId: fc.oneof(nasty, fc.uuid(), fc.constant("")),
        newAppName: nasty,
        reason: fc.oneof(nasty, fc.string({ minLength: 1 })),
        startsAt: fc.oneof(nasty, datetimeString, fc.constant("")),
        durationDays: fc.oneof(nasty, fc.integer({ min: -5, max: 4000 }), fc.constant("")),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("field.company", "__proto__", "constructor")), nasty, { maxKeys: 3 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

// ---------------------------------------------------------------------------------------------
// Schemas (no database)
// ---------------------------------------------------------------------------------------------

describe("submitRequestSchema (fuzz)", () => {
  it("fails with errors on known fields only, or yields well-formed values", () => {
    fc.assert(
      fc.property(submitLike, (input) => {
        const result = submitRequestSchema.safeParse(input);
        if (!result.success) {
          expect(result.error.issues.length).toBeGreaterThan(0);
          for (const issue of result.error.issues) {
            expect(SUBMIT_FIELDS).toContain(issue.path[0]);
            expect(issue.message.length).toBeGreaterThan(0);
          }
          const fieldErrors = fieldErrorsOf(result.error);
          for (const key of Object.keys(fieldErrors)) expect(SUBMIT_FIELDS).toContain(key);
          return;
        }
        const out = result.data;
        for (const key of Object.keys(out)) expect(SUBMIT_FIELDS).toContain(key);

        // reason: the submitted string, trimmed, 1–2000 characters. No coercion from other types.
        expect(typeof input.reason).toBe("string");
        expect(out.reason).toBe((input.reason as string).trim());
        expect(chars(out.reason)).toBeGreaterThanOrEqual(1);
        expect(chars(out.reason)).toBeLessThanOrEqual(2000);

        if (out.durationDays !== undefined) {
          expect(Number.isInteger(out.durationDays)).toBe(true);
          expect(out.durationDays).toBeGreaterThanOrEqual(1);
          expect(out.durationDays).toBeLessThanOrEqual(3650);
        }
        if (out.appId !== undefined && out.appId !== "") expect(out.appId).toMatch(UUID);
        if (out.startsAt !== undefined) expect(out.startsAt).toMatch(LOCAL_DATETIME);
        if (out.newAppName !== undefined) {
          expect(out.newAppName).toBe(out.newAppName.trim());
          expect(chars(out.newAppName)).toBeLessThanOrEqual(80);
        }
        expect(Boolean(out.appId) || Boolean(out.newAppName)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts a plain valid form, so the property above is not vacuous", () => {
    const out = submitRequestSchema.parse({ appId: "", newAppName: "  My app ", reason: `  ${XSS}  `, startsAt: "", durationDays: "30" });
    expect(out).toEqual({ appId: "", newAppName: "My app", reason: XSS, startsAt: undefined, durationDays: 30 });
  });
});

const ENTERPRISE_FIELDS: RequestField[] = [
  { key: "company", label: "Company", type: "text", required: true },
  { key: "environment", label: "Environment", type: "select", required: true, options: ["Sandbox", "Production"] },
];
const STANDARD_FIELDS: RequestField[] = [{ key: "useCase", label: "Describe your use case", type: "textarea", required: false }];

const answerValue = fc.oneof(nasty, fc.constantFrom("Sandbox", "Production", "sandbox", " Production", "Production ", "Acme", "toString"));
const rawAnswers = fc
  .dictionary(fc.constantFrom("field.company", "field.environment", "field.useCase", "field.other", "reason", "field."), answerValue, { maxKeys: 5 })
  .map((d) => fieldAnswersFrom(d));

describe("requestFieldsSchema (fuzz)", () => {
  it("Enterprise: accepted answers hold only a listed environment and a trimmed company of 1–2000 chars", () => {
    const schema = requestFieldsSchema(ENTERPRISE_FIELDS);
    fc.assert(
      fc.property(rawAnswers, (answers) => {
        const result = schema.safeParse(answers);
        if (!result.success) {
          for (const issue of result.error.issues) expect(["company", "environment"]).toContain(issue.path[0]);
          return;
        }
        expect(Object.keys(result.data).sort()).toEqual(["company", "environment"]);
        expect(["Sandbox", "Production"]).toContain(result.data.environment);
        const company = result.data.company;
        expect(typeof company).toBe("string");
        expect(company).toBe(company?.trim());
        expect(chars(company ?? "")).toBeGreaterThanOrEqual(1);
        expect(chars(company ?? "")).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });

  it("Standard: the optional text is undefined or a trimmed string of ≤ 2000 chars", () => {
    const schema = requestFieldsSchema(STANDARD_FIELDS);
    fc.assert(
      fc.property(rawAnswers, (answers) => {
        const result = schema.safeParse(answers);
        if (!result.success) {
          for (const issue of result.error.issues) expect(issue.path[0]).toBe("useCase");
          return;
        }
        const useCase = result.data.useCase;
        if (useCase !== undefined) {
          expect(useCase).toBe(useCase.trim());
          expect(chars(useCase)).toBeGreaterThanOrEqual(1);
          expect(chars(useCase)).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Through submitRequest, against the real database
// ---------------------------------------------------------------------------------------------

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";

const tableCounts = async () => {
  const [row] = await t.sql`select
    (select count(*)::int from access_requests) as requests,
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from email_messages) as emails,
    (select count(*)::int from apps) as apps,
    (select count(*)::int from cart_items) as cart`;
  return row;
};

const pair = (slug: string, plan: string) => ({ productId: f.product(slug).id, planId: f.plan(plan).id });
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const local = (d: Date) => d.toISOString().slice(0, 16);

type BadCase = {
  kind: string;
  input: SubmitRequestInput;
  answers: Record<string, unknown>;
  code: DomainError["code"];
  field: RegExp;
};

describe("submitRequest with bad input (property, real database)", () => {
  it("rejects with a DomainError naming the field and writes nothing", async () => {
    const u = await f.user();
    const mine = await f.app(u.id, "Mine");
    const gone = await f.app(u.id, "Deleted");
    await t.db.update(apps).set({ deletedAt: new Date() }).where(eq(apps.id, gone.id));
    const stranger = await f.user();
    const theirs = await f.app(stranger.id, "Theirs");
    for (const slug of ["payments", "fx-rates"]) await addToCart(t.db, u.id, pair(slug, "Enterprise"));
    const now = new Date();
    const goodAnswers = { company: "Acme", environment: "Production" };
    const anyReason = fc.oneof(fc.constant(XSS), fc.string({ minLength: 1, maxLength: 50 }));

    const badCompany = fc.constantFrom<unknown>("", "   ", undefined, null, 5, ["Acme", "Acme"], "x".repeat(MAX_FIELD_LENGTH + 1), { a: 1 });
    const badEnvironment = fc.oneof(
      fc.string().filter((s) => s !== "Sandbox" && s !== "Production"),
      fc.constantFrom<unknown>("sandbox", " Production", "", null, 1, ["Production"], "__proto__", "toString"),
    );

    const bad: fc.Arbitrary<BadCase> = fc.oneof(
      fc.record({ company: badCompany, reason: anyReason, useNewApp: fc.boolean() }).map(({ company, reason, useNewApp }) => ({
        kind: "company",
        input: useNewApp ? { appId: "", newAppName: "Fresh", reason } : { appId: mine.id, reason },
        answers: { ...goodAnswers, company },
        code: "invalid" as const,
        field: /^field\.company$/,
      })),
      fc.record({ environment: badEnvironment, reason: anyReason, useNewApp: fc.boolean() }).map(({ environment, reason, useNewApp }) => ({
        kind: "environment",
        input: useNewApp ? { newAppName: "Fresh", reason } : { appId: mine.id, reason },
        answers: { ...goodAnswers, environment },
        code: "invalid" as const,
        field: /^field\.environment$/,
      })),
      fc.record({ days: fc.integer({ min: 366, max: 3650 }), reason: anyReason, useNewApp: fc.boolean() }).map(({ days, reason, useNewApp }) => ({
        kind: "duration",
        input: useNewApp ? { newAppName: "Fresh", reason, durationDays: days } : { appId: mine.id, reason, durationDays: days },
        answers: goodAnswers,
        code: "invalid" as const,
        field: /^durationDays$/,
      })),
      fc.record({ appId: fc.oneof(fc.uuid(), fc.constant(theirs.id), fc.constant(gone.id)), reason: anyReason }).map(({ appId, reason }) => ({
        kind: "app",
        input: { appId, reason },
        answers: goodAnswers,
        code: "not_found" as const,
        field: /^appId$/,
      })),
      fc.record({ name: fc.constantFrom("", "   ", undefined), reason: anyReason }).map(({ name, reason }) => ({
        kind: "no app",
        input: { appId: "", newAppName: name, reason },
        answers: goodAnswers,
        code: "invalid" as const,
        field: /^newAppName$/,
      })),
      fc
        .record({
          // Beyond the one-hour grace, up to 20 years back; or more than a year ahead.
          offset: fc.oneof(fc.integer({ min: 62 * MINUTE, max: 20 * 365 * DAY }).map((m) => -m), fc.integer({ min: 366 * DAY, max: 5 * 365 * DAY })),
          reason: anyReason,
          useNewApp: fc.boolean(),
        })
        .map(({ offset, reason, useNewApp }) => {
          const startsAt = local(new Date(now.getTime() + offset));
          return {
            kind: "startsAt",
            input: useNewApp ? { newAppName: "Fresh", reason, startsAt } : { appId: mine.id, reason, startsAt },
            answers: goodAnswers,
            code: "invalid" as const,
            field: /^startsAt$/,
          };
        }),
    );

    const before = await tableCounts();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(bad, async (c) => {
        seen.add(c.kind);
        const error = await submitRequest(t.db, { userId: u.id, baseUrl, now }, c.input, c.answers).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, `${c.kind} was accepted`).toBeInstanceOf(DomainError);
        const e = error as DomainError;
        expect(e.code).toBe(c.code);
        expect(Object.keys(e.fieldErrors ?? {})).toEqual([expect.stringMatching(c.field)]);
        expect(await tableCounts()).toEqual(before);
      }),
      { numRuns: 40 },
    );
    expect(seen.size).toBeGreaterThanOrEqual(4);

    // The same cart and app go through once the input is fixed: the refusals above were about the input.
    const ok = await submitRequest(t.db, { userId: u.id, baseUrl, now }, { appId: mine.id, reason: "Valid" }, goodAnswers);
    expect(ok.status).toBe("pending");
    expect(ok.fields).toEqual(goodAnswers);
  });

  it("stores HTML, scripts and unicode in the reason and fields verbatim (React escapes them on output)", async () => {
    const text = fc.oneof(
      fc.constantFrom(XSS, `"><img src=x onerror=alert(1)>`, "'; drop table access_requests; --", "{{7*7}} ${7*7} %s %n", "🙂 Zürich — 東京 ‮rtl"),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 200 }).filter((s) => !s.includes("\u0000")),
    );
    await fc.assert(
      fc.asyncProperty(text, text, async (reasonRaw, useCaseRaw) => {
        const parsed = submitRequestSchema.safeParse({ newAppName: "Round trip", reason: reasonRaw });
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const u = await f.user(); // each run makes its own "Round trip" app; app names are unique per owner
        const answers = { useCase: useCaseRaw.slice(0, MAX_FIELD_LENGTH) };
        await addToCart(t.db, u.id, pair("invoices", "Standard"));
        const req = await submitRequest(t.db, { userId: u.id, baseUrl }, parsed.data, answers);
        const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
        expect(row?.reason).toBe(reasonRaw.trim());
        const storedUseCase = useCaseRaw.slice(0, MAX_FIELD_LENGTH).trim();
        expect(row?.fields).toEqual(storedUseCase ? { useCase: storedUseCase } : {});
      }),
      { numRuns: 25 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions for bugs this suite found (NUL characters, zoned start times); fixed in the domain code.
// ---------------------------------------------------------------------------------------------

describe("regressions", () => {
  // BUG: Postgres text/jsonb cannot hold U+0000. The schemas accept it, so the insert fails with a raw
  // database error ("invalid byte sequence for encoding UTF8: 0x00" / "unsupported Unicode escape
  // sequence"), which the action wrapper turns into "Something went wrong on our side" instead of a
  // field error.
  it("fixed: submitRequestSchema accepts a NUL character in the reason and the app name", () => {
    expect(submitRequestSchema.safeParse({ newAppName: "App", reason: "a\u0000b" }).success).toBe(false);
    expect(submitRequestSchema.safeParse({ newAppName: "a\u0000b", reason: "ok" }).success).toBe(false);
  });

  it("fixed: a NUL character in a plan field answer is a database error, not a field error", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    await addToCart(t.db, u.id, pair("invoices", "Standard"));
    const before = await tableCounts();
    const error = await submitRequest(t.db, { userId: u.id, baseUrl }, { appId: app.id, reason: "ok" }, { useCase: "a\u0000b" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(await tableCounts()).toEqual(before);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).fieldErrors).toHaveProperty(["field.useCase"]);
  });

  // BUG: the schema's z.iso.datetime({ local: true }) also accepts "…Z"; scheduleFor appends another
  // "Z", gets an Invalid Date and answers "Enter a valid date and time." for a valid start time.
  it("fixed: every startsAt the schema accepts is read by scheduleFor as that UTC instant", () => {
    fc.assert(
      fc.property(datetimeString, (startsAt) => {
        const parsed = submitRequestSchema.safeParse({ newAppName: "App", reason: "ok", startsAt });
        fc.pre(parsed.success);
        const at = new Date(startsAt.endsWith("Z") ? startsAt : `${startsAt}Z`);
        const schedule = scheduleFor({ startsAt }, { name: "Any", keyLifetimeDays: null }, at);
        expect(schedule.startsAt.getTime()).toBe(at.getTime());
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Authorization of requester actions
// ---------------------------------------------------------------------------------------------

describe("requester actions on someone else's request", () => {
  it("cancel, resubmit and remove answer not_found and write nothing, in every state", async () => {
    const owner = await f.owner();
    const requester = await f.user();
    const other = await f.user();
    const app = await f.app(requester.id);

    const submit = async (slug: string, plan = "Standard") => {
      await addToCart(t.db, requester.id, pair(slug, plan));
      return submitRequest(t.db, { userId: requester.id, baseUrl }, { appId: app.id, reason: "Need it" }, {});
    };
    const pending = await submit("payments");
    const denied = await submit("invoices");
    await t.db.transaction((tx) => applyTransition(tx, { requestId: denied.id, transition: "deny", actorId: owner.id, comment: "No" }));
    const cancelled = await submit("geocoding");
    await cancelRequest(t.db, requester.id, cancelled.id);
    const approved = await submit("weather", "Free");
    expect(approved.status).toBe("approved");

    const cases = [
      ["pending", pending.id],
      ["denied", denied.id],
      ["cancelled", cancelled.id],
      ["approved", approved.id],
      ["unknown", randomUUID()],
    ] as const;
    const snapshot = async () =>
      t.sql`select id, status, hidden_at, updated_at from access_requests where requester_id = ${requester.id} order by id`;
    const before = await tableCounts();
    const rowsBefore = await snapshot();

    for (const [state, id] of cases) {
      for (const [action, run] of [
        ["cancel", () => cancelRequest(t.db, other.id, id)],
        ["resubmit", () => resubmitRequest(t.db, { userId: other.id, baseUrl }, id)],
        ["remove", () => removeRequest(t.db, other.id, id)],
      ] as const) {
        const error = await run().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, `${action} on a ${state} request`).toBeInstanceOf(DomainError);
        expect((error as DomainError).code, `${action} on a ${state} request`).toBe("not_found");
      }
    }
    expect(await tableCounts()).toEqual(before);
    expect(await snapshot()).toEqual(rowsBefore);

    // The owner of the requests can act on them: the refusals above were about who asked.
    await expect(removeRequest(t.db, requester.id, denied.id)).resolves.toMatchObject({ id: denied.id });
    await expect(cancelRequest(t.db, requester.id, pending.id)).resolves.toMatchObject({ status: "cancelled" });
  });
});
