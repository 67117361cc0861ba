import { beforeAll, describe, expect, it } from "vitest";
import { apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();
let api: ReturnType<typeof apiHarness>;
let token: string;
beforeAll(async () => {
  const f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
  token = (await api.token([{ role: "portal_admin" }])).token;
});

const forge = (c: unknown) => Buffer.from(JSON.stringify(c)).toString("base64url");

describe("values Postgres would refuse are 422s, never 500s", () => {
  it("hand-made cursors of the right shape but wrong values", async () => {
    const nul = forge({ v: "a\u0000b", id: "c\u0000" });
    const cases: [string, string[]][] = [
      ["/products", [nul, forge({ v: 1, id: "x" })]],
      ["/plans", [nul, forge({ v: "Free", id: 2 })]],
      ["/apps", [nul, forge({ v: "yesterday", id: "x" }), forge({ v: "2026-13-01 00:00:00+00", id: "x" })]],
      ["/users", [nul, forge({ v: "2026-01-01", id: "x" })]],
      ["/audit-events", [nul, forge({ v: "2026-01-01 00:00:00+00", id: "not a number" }), forge({ v: "2026-01-01 00:00:00+00", id: 1.5 })]],
    ];
    for (const [path, cursors] of cases) {
      for (const c of cursors) {
        const res = await api.call(token, "GET", `${path}?cursor=${c}`);
        expect(res.status, `${path} ${c}`).toBe(422);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: "cursor" })]);
      }
    }
    // a real cursor's shape is accepted
    expect((await api.call(token, "GET", `/audit-events?cursor=${forge({ v: "2026-01-01 00:00:00.123456+00", id: 5 })}`)).status).toBe(200);
  });

  it("NUL and control characters in filters and owner emails", async () => {
    for (const path of ["/apps?ownerEmail=a%00b", "/users?q=%00", "/audit-events?actor=x%00", "/audit-events?subjectId=%00", "/audit-events/export?q=%0A%00"]) {
      expect((await api.call(token, "GET", path)).status, path).toBe(422);
    }
    const product = await api.call(token, "POST", "/products", { name: "Nul", slug: "nul-owner", ownerEmail: "a\u0000@example.com" });
    expect(product.status).toBe(422);
    expect(product.body.errors).toEqual([expect.objectContaining({ field: "ownerEmail" })]);
    const plan = await api.call(token, "POST", "/plans", { name: "N\u0000l", description: "\u0000" });
    expect(plan.status).toBe(422);
  });
});
