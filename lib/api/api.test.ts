import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { removeApiAccessKey } from "@/lib/api-access/manage";
import { userActor } from "@/lib/auth/permissions";
import { apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

describe("the API's front door", () => {
  it("401 without a token, with a malformed one and after Remove; 200 with a live one", async () => {
    const { key, token, admin } = await api.token([{ role: "portal_viewer" }]);
    expect((await api.call(null, "GET", "/products")).status).toBe(401);
    expect((await api.call("nope", "GET", "/products")).status).toBe(401);
    const live = await api.call(token, "GET", "/products");
    expect(live.status).toBe(200);
    expect(live.body.items?.length).toBeGreaterThan(0);
    await removeApiAccessKey(t.db, userActor(admin), { keyId: key.id });
    const after = await api.call(token, "GET", "/products");
    expect(after.status).toBe(401);
    expect(after.headers.get("content-type")).toBe("application/problem+json");
  });

  it("a product viewer sees only its products", async () => {
    const payments = f.product("payments");
    const { token } = await api.token([{ role: "product_viewer", products: [payments.id] }]);
    const list = await api.call(token, "GET", "/products");
    expect(list.body.items?.map((p) => (p as { id: string }).id)).toEqual([payments.id]);
    const other = f.product("invoices");
    expect((await api.call(token, "GET", `/products/${other.id}`)).status).toBe(404);
  });

  it("pages with a cursor and a Link header; a foreign cursor is a 422", async () => {
    const { token } = await api.token([{ role: "portal_admin" }]);
    const first = await api.call(token, "GET", "/products?limit=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.headers.get("link")).toMatch(/rel="next"/);
    const second = await api.call(token, "GET", `/products?limit=1&cursor=${String(first.body.next)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items?.[0]).not.toEqual(first.body.items?.[0]);
    const bad = await api.call(token, "GET", "/products?cursor=zzz");
    expect(bad.status).toBe(422);
  });
});

describe("the router's edges", () => {
  it("HEAD answers like GET without a body; NUL in the query or body is a 422, not a 500", async () => {
    const { token } = await api.token([{ role: "portal_admin" }]);
    const head = await api.call(token, "HEAD", "/products");
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect((await api.call(token, "GET", "/products?status=%00")).status).toBe(422);
  });

  it("Remove stops the token at its next call (well under a second)", async () => {
    const { key, token, admin } = await api.token([{ role: "portal_viewer" }]);
    expect((await api.call(token, "GET", "/products?limit=1")).status).toBe(200);
    const started = performance.now();
    await removeApiAccessKey(t.db, userActor(admin), { keyId: key.id });
    const refused = await api.call(token, "GET", "/products?limit=1");
    const ms = performance.now() - started;
    expect(refused.status).toBe(401);
    expect(ms).toBeLessThan(1000);
  });
});

describe("a key acts for the admin who added it", () => {
  it("stops while its creator is disabled or no longer an admin, and works again when they are restored", async () => {
    const { token, admin } = await api.token([{ role: "portal_viewer" }]);
    expect((await api.call(token, "GET", "/products?limit=1")).status).toBe(200);
    await t.db.update(users).set({ role: "owner" }).where(eq(users.id, admin.id));
    expect((await api.call(token, "GET", "/products?limit=1")).status).toBe(401);
    await t.db.update(users).set({ role: "admin", disabledAt: new Date() }).where(eq(users.id, admin.id));
    expect((await api.call(token, "GET", "/products?limit=1")).status).toBe(401);
    await t.db.update(users).set({ disabledAt: null }).where(eq(users.id, admin.id));
    expect((await api.call(token, "GET", "/products?limit=1")).status).toBe(200);
  });
});
