import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ROLE_LABELS } from "@/lib/api-access/grants";
import { apiDocument } from "@/lib/api/document";
import { defineOperation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { ContractViolation, responseValidator, type ApiDocument } from "@/tests/contract";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();

const doc = apiDocument(operations, API_BASE_URL) as unknown as ApiDocument & { openapi: string; servers: { url: string }[] };
type Op = { operationId?: string; summary?: string; description?: string; "x-roles"?: string[] };
const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op: op as Op })));

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.servers[0]?.url).toBe(`${API_BASE_URL}/api/v1`);
  });

  it("describes every operation, once, with an id, a summary and the roles it needs", () => {
    expect(documented).toHaveLength(operations.length);
    const ids = documented.map((d) => d.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) {
      const d = documented.find((x) => x.op.operationId === op.operationId);
      expect(d, op.operationId).toBeDefined();
      expect(d?.path).toBe(op.path);
      expect(d?.method).toBe(op.method.toLowerCase());
      expect(d?.op.summary, op.operationId).toBe(op.summary);
      expect(op.summary.trim().length, op.operationId).toBeGreaterThan(0);
      expect(d?.op["x-roles"], op.operationId).toEqual([...op.roles]);
      expect(op.roles.length, op.operationId).toBeGreaterThan(0);
      for (const role of op.roles) expect(d?.op.description, `${op.operationId} names ${role}`).toContain(ROLE_LABELS[role]);
    }
  });

  it("is served at GET /api/v1/openapi.json (the route handler), the same document", async () => {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, AUTH_URL: process.env.AUTH_URL };
    process.env.DATABASE_URL = t.url;
    process.env.AUTH_URL = API_BASE_URL;
    try {
      const { GET } = await import("@/app/api/v1/openapi.json/route");
      const response = GET();
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    } finally {
      Object.assign(process.env, saved);
    }
  });
});

describe("the response validator (tests/contract.ts) refuses what the document does not allow", () => {
  const v = responseValidator(doc);
  const product = {
    id: crypto.randomUUID(),
    slug: "p",
    name: "P",
    summary: "",
    description: "",
    tags: [],
    authMethod: "api_key",
    status: "published",
    owner: { id: crypto.randomUUID(), email: "o@example.com" },
    planIds: [],
    hasOpenApi: false,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  const problem = { type: "about:blank", title: "Forbidden", status: 403, detail: "No.", requiredRoles: ["portal_admin"] };

  it("accepts a documented answer", () => {
    expect(() => v.validate("GET", `/products/${product.id}`, 200, "application/json", product)).not.toThrow();
    expect(() => v.validate("GET", "/products?limit=1", 200, "application/json", { items: [product], next: null })).not.toThrow();
    expect(() => v.validate("GET", "/products", 403, "application/problem+json", problem)).not.toThrow();
    expect(() => v.validate("GET", "/nothing-here", 404, "application/problem+json", { ...problem, status: 404, title: "Not Found" })).not.toThrow();
  });

  it("refuses a wrong field, a missing field, an extra field, a bad format, an undocumented status or content type", () => {
    const bad: [number, string, unknown, RegExp][] = [
      [200, "application/json", { ...product, status: "deleted" }, /must be equal to one of the allowed values/],
      [200, "application/json", { ...product, tags: "a,b" }, /must be array/],
      [200, "application/json", (({ slug: _s, ...rest }) => rest)(product), /must have required property 'slug'/],
      [200, "application/json", { ...product, secret: "x" }, /must NOT have additional properties/],
      [200, "application/json", { ...product, createdAt: "yesterday" }, /"format": "date-time"/],
      [418, "application/json", product, /status 418 is not documented/],
      [200, "text/html", product, /content type text\/html is not documented/],
      [403, "application/json", problem, /content type application\/json is not documented/],
      [403, "application/problem+json", { ...problem, status: "403" }, /must be integer/],
    ];
    for (const [status, type, body, message] of bad) {
      let error: unknown;
      try {
        v.validate("GET", `/products/${product.id}`, status, type, body);
      } catch (e) {
        error = e;
      }
      expect(error, `${status} ${type} ${JSON.stringify(body).slice(0, 80)}`).toBeInstanceOf(ContractViolation);
      expect(String((error as Error).message)).toMatch(/getProduct/);
      expect(String((error as Error).message)).toMatch(message);
    }
  });

  it("refuses an answer on a path or method no operation has, unless it is the router's 404/405 problem", () => {
    expect(() => v.validate("GET", "/nothing-here", 200, "application/json", {})).toThrow(ContractViolation);
    expect(() => v.validate("PUT", "/products", 200, "application/json", {})).toThrow(ContractViolation);
    expect(() => v.validate("PUT", "/products", 405, "application/problem+json", { ...problem, status: 405, title: "Method Not Allowed" })).not.toThrow();
    // HEAD is answered as GET without a body
    expect(() => v.validate("HEAD", "/products", 200, "application/json", undefined)).not.toThrow();
    expect(() => v.validate("HEAD", "/products", 200, "application/json", { items: [], next: null })).toThrow(/HEAD answer has a body/);
    expect(() => v.validate("HEAD", "/products", 418, "application/json", undefined)).toThrow(/status 418 is not documented/);
  });
});


describe("apiHarness call() validates every answer against the document", () => {
  const thing = z.object({ id: z.guid(), name: z.string() }).meta({ id: "SelfTestThing" });
  const answer = { current: { status: 200, body: {} as unknown } };
  const selfTest = defineOperation({
    operationId: "selfTestThing",
    method: "GET",
    path: "/self-test",
    tag: "Self test",
    summary: "Answer what the test says",
    roles: ["portal_admin"],
    responses: { 200: { description: "A thing.", schema: thing } },
    handler: async () => answer.current,
  });

  it("passes a documented answer and throws on a wrong field or an undocumented status", async () => {
    const f = await catalogueFixture(t.db);
    const api = apiHarness(t.db, f, [selfTest]);
    const { token } = await api.token([{ role: "portal_admin" }]);
    answer.current = { status: 200, body: { id: crypto.randomUUID(), name: "ok" } };
    expect((await api.call(token, "GET", "/self-test")).status).toBe(200);
    answer.current = { status: 200, body: { id: "not-a-uuid", name: "ok" } };
    await expect(api.call(token, "GET", "/self-test")).rejects.toThrow(/selfTestThing.*answered 200[\s\S]*"instancePath": "\/id"/);
    answer.current = { status: 200, body: { id: crypto.randomUUID(), name: 7 } };
    await expect(api.call(token, "GET", "/self-test")).rejects.toThrow(/must be string/);
    answer.current = { status: 202, body: { id: crypto.randomUUID(), name: "ok" } };
    await expect(api.call(token, "GET", "/self-test")).rejects.toThrow(/status 202 is not documented/);
  });
});
