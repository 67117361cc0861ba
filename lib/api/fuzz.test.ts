import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeCursor, encodeCursor, pageQuery } from "@/lib/api/cursor";
import type { Operation } from "@/lib/api/operation";
import { operations as realOperations } from "@/lib/api/operations";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { canaryOperation } from "@/tests/api-canary";
import { apiFixtures } from "@/tests/api-fixtures";
import { contractValidator } from "@/tests/contract-of-operations";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { snapshotTables } from "@/tests/table-snapshot";

/**
 * Bad input on every operation (generic over `operations`): malformed bodies, path ids, cursors,
 * limits and query values, content types and Authorization headers. Every answer is a 4xx
 * application/problem+json (validated against the document), never a 5xx, and no table changes
 * over each operation's batch.
 */
/** The real operations and a writing canary that takes a body (tests/api-canary.ts). */
const operations: Operation[] = [...realOperations, canaryOperation];
const t = await isolatedDatabase();
let api: ReturnType<typeof apiHarness>;
let fx: Awaited<ReturnType<typeof apiFixtures>>;
let admin = "";
const contract = contractValidator(operations);
const RUNS = { numRuns: 12, endOnFailure: true } as const;

beforeAll(async () => {
  const f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f, operations);
  fx = await apiFixtures(t.db, f, api);
  admin = (await api.token([{ role: "portal_admin" }], "fuzz admin")).token;
}, 120_000);

type Sent = { path?: string; query?: string; headers?: Record<string, string>; body?: BodyInit };

/** One raw request to the router (bytes, headers and all), its answer checked against the document. */
async function send(op: Operation, s: Sent) {
  const path = s.path ?? fx.pathFor(op);
  const query = s.query ?? "";
  const withBody = op.method === "POST" || op.method === "PATCH";
  const response = await api.handle(
    new Request(`${API_BASE_URL}/api/v1${path}${query}`, { method: op.method, headers: s.headers ?? { Authorization: `Bearer ${admin}` }, body: withBody ? (s.body ?? null) : null }),
  );
  const text = await response.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the contract check below reports it
  }
  const type = response.headers.get("content-type");
  contract.validate(op.method, `${path}${query}`, response.status, type, json);
  return { status: response.status, type, json, label: `${op.operationId} ${op.method} ${path}${query} → ${response.status} ${text.slice(0, 300)}` };
}

function expectRefusal(r: Awaited<ReturnType<typeof send>>, allowed: (status: number) => boolean = (s) => s >= 400 && s < 500) {
  expect(allowed(r.status), r.label).toBe(true);
  if (r.status >= 400) expect(r.type, r.label).toBe("application/problem+json");
}

/** Runs a batch of calls on one operation and proves no table changed across it. */
async function batch(run: () => Promise<void>) {
  // keys record their last use at most once a minute; pin it so any other write shows
  await t.sql`update api_access_keys set last_used_at = now()`;
  const before = await snapshotTables(t.sql);
  await run();
  expect(await snapshotTables(t.sql)).toEqual(before);
}

const rejects = (schema: z.ZodType | undefined) => (v: unknown) => !schema || !schema.safeParse(v).success;

/** Malformed JSON-ish bodies for an operation (never one its schema accepts). */
function malformedBodies(op: Operation) {
  const keys = op.body instanceof z.ZodObject ? Object.keys(op.body.shape) : [];
  const wrongTyped = fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object(), fc.double())])));
  const huge = fc.integer({ min: 2_000, max: 60_000 }).map((n) => Object.fromEntries((keys.length ? keys : ["x"]).map((k) => [k, "x".repeat(Math.floor(n / Math.max(keys.length, 1)))])));
  // deep nesting built as text (JSON.stringify itself would overflow the stack)
  const deep = fc.integer({ min: 100, max: 5_000 }).map((n) => `${`{"${keys[0] ?? "a"}":`.repeat(n)}{}${"}".repeat(n)}`);
  // as the server will see it: the JSON text of the value
  return fc
    .oneof(fc.oneof(fc.jsonValue(), wrongTyped, huge, fc.anything()).map((v) => JSON.stringify(v) ?? ""), deep)
    .filter((text) => {
      try {
        return rejects(op.body)(JSON.parse(text));
      } catch {
        return true;
      }
    });
}

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });

describe("fuzz: every operation refuses bad input with a 4xx problem and writes nothing", () => {
  it("has operations to fuzz", () => {
    expect(realOperations.length).toBeGreaterThan(0);
    console.info(`fuzzing ${realOperations.length} operations (+ the canary): ${realOperations.map((o) => o.operationId).join(", ")}`);
  });

  const withBody = operations.filter((op) => op.body);
  it.skipIf(withBody.length === 0).each(withBody.map((op) => [op.operationId, op] as const))("%s: malformed bodies, not JSON, invalid UTF-8, too large, wrong content type", async (_id, op) => {
    await batch(async () => {
      const json = { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" };
      await fc.assert(
        fc.asyncProperty(malformedBodies(op), async (text) => expectRefusal(await send(op, { headers: json, body: text }))),
        RUNS,
      );
      // deep nesting as text (arrays nested up to the size limit)
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1_000, max: 32_000 }), async (n) => expectRefusal(await send(op, { headers: json, body: "[".repeat(n) + "]".repeat(n) }))),
        { ...RUNS, numRuns: 4 },
      );
      // not JSON at all, and invalid UTF-8 (0xff never starts JSON)
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            printable.map((s) => `{${s}`).filter((s) => {
              try {
                JSON.parse(s);
                return false;
              } catch {
                return true;
              }
            }),
            fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array([0xff, 0xfe, ...b])),
          ),
          async (body) => expectRefusal(await send(op, { headers: json, body }), (s) => s === 400),
        ),
        RUNS,
      );
      // over 64 KiB
      expectRefusal(await send(op, { headers: json, body: JSON.stringify({ x: "y".repeat(70_000) }) }), (s) => s === 413);
      // a JSON body sent as something else, or with no content type
      await fc.assert(
        fc.asyncProperty(fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "", "json", "application/jsonx"), async (type) => {
          const headers: Record<string, string> = { Authorization: `Bearer ${admin}` };
          if (type) headers["Content-Type"] = type;
          const body = type === "" ? new Blob(["{}"]) : "{}";
          expectRefusal(await send(op, { headers, body }), (s) => s === 415);
        }),
        { ...RUNS, numRuns: 7 },
      );
    });
  });

  const withParams = operations.filter((op) => /\{\w+\}/.test(op.path));
  it.skipIf(withParams.length === 0).each(withParams.map((op) => [op.operationId, op] as const))("%s: malformed ids in the path", async (_id, op) => {
    const rawId = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 80 }).map(encodeURIComponent),
      printable.map(encodeURIComponent),
      fc.constantFrom("%", "%zz", "%E0%A4%A", "..", ".%2e", "%2F..%2Fusers", "null", "undefined", "0", "-1", "1e309", "%00", "'%20or%201=1--", "a".repeat(3_000)),
      fc.uuid().map((u) => u.toUpperCase().replace(/-/g, "")),
      fc.uuid().map((u) => `${u}x`),
    );
    await batch(async () => {
      await fc.assert(
        fc.asyncProperty(rawId, async (id) => {
          const path = op.path.replace(/\{(\w+)\}/g, (_m, _name: string) => id);
          const r = await send(op, { path, headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: "{}" });
          expectRefusal(r);
        }),
        { ...RUNS, numRuns: 25 },
      );
    });
  });

  const withQuery = operations.filter((op) => op.query);
  it.skipIf(withQuery.length === 0).each(withQuery.map((op) => [op.operationId, op] as const))("%s: malformed cursors, limits and query values", async (_id, op) => {
    const shape = op.query instanceof z.ZodObject ? (op.query.shape as Record<string, z.ZodType>) : {};
    const keys = Object.keys(shape);
    const qs = (q: Record<string, string | string[]>) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) for (const x of [v].flat()) p.append(k, x);
      return `?${p.toString()}`;
    };
    await batch(async () => {
      if ("cursor" in shape) {
        const badCursor = fc
          .oneof(printable, fc.string({ unit: "grapheme", maxLength: 60 }), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "").toString("base64url")), fc.constant("x".repeat(501)))
          .filter((c) => {
            if (c === "") return false; // no cursor: the first page
            if (c.length > 500) return true;
            try {
              decodeCursor(c);
              return false;
            } catch {
              return true;
            }
          });
        await fc.assert(fc.asyncProperty(badCursor, async (cursor) => expectRefusal(await send(op, { query: qs({ cursor }) }))), RUNS);
        // cursors of the right shape with values of the wrong kind: refused or an (empty) page, never a 5xx
        const shaped = fc.record({ v: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), id: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()) });
        await fc.assert(fc.asyncProperty(shaped, async (c) => expectRefusal(await send(op, { query: qs({ cursor: encodeCursor(c) }) }), (s) => s < 300 || (s >= 400 && s < 500))), RUNS);
      }
      if ("limit" in shape) {
        const badLimit = fc
          .oneof(fc.integer({ max: 0 }), fc.integer({ min: 201 }), fc.double(), printable, fc.constantFrom("", "NaN", "Infinity", "1e3", "0x10", "50.5", "-0"))
          .map(String)
          .filter((l) => !pageQuery.limit.safeParse(l).success);
        await fc.assert(fc.asyncProperty(badLimit, async (limit) => expectRefusal(await send(op, { query: qs({ limit }) }), (s) => s === 422)), RUNS);
      }
      if (keys.length > 0) {
        const anyQuery = fc
          .dictionary(fc.constantFrom(...keys), fc.oneof(printable, fc.string({ unit: "grapheme", maxLength: 30 }), fc.array(printable, { minLength: 2, maxLength: 3 })), { minKeys: 1 })
          .filter(rejects(op.query));
        // a query schema that accepts nearly anything leaves nothing malformed to send
        const some = fc.sample(fc.dictionary(fc.constantFrom(...keys), printable, { minKeys: 1 }), 200).filter(rejects(op.query));
        if (some.length > 0) await fc.assert(fc.asyncProperty(anyQuery, async (q) => expectRefusal(await send(op, { query: qs(q) }), (s) => s === 422)), RUNS);
      }
    });
  });

  it.each(operations.map((op) => [op.operationId, op] as const))("%s: malformed Authorization headers get 401", async (_id, op) => {
    const jwtish = fc.tuple(fc.base64String({ maxLength: 80 }), fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 90 })).map((p) => p.map((s) => s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "")).join("."));
    const header = fc.oneof(
      printable,
      printable.map((s) => `Bearer ${s}`),
      jwtish.map((j) => `Bearer ${j}`),
      fc.constantFrom("Bearer", "Bearer ", "bearer", "Basic YWRtaW46YWRtaW4=", `Token ${admin}`, `Bearer ${admin}x`, `Bearer ${admin.slice(0, -2)}`, `Bearer ${admin} ${admin}`, `Bearer\t${"a".repeat(5_000)}`, `Bearer ${admin.split(".").reverse().join(".")}`),
    );
    await batch(async () => {
      await fc.assert(
        fc.asyncProperty(header, async (authorization) => {
          const r = await send(op, { headers: { Authorization: authorization, "Content-Type": "application/json" }, body: "{}" });
          expectRefusal(r, (s) => s === 401);
        }),
        { ...RUNS, numRuns: 20 },
      );
    });
  });
});
