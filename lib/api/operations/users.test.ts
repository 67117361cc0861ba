import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
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

type User = { id: string; email: string; role: string; disabled: boolean };
const row = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0];

async function auditOf(action: string, subjectId: string) {
  const [e] = await t.db
    .select({ actorId: auditEvents.actorId, name: users.name, kind: users.kind })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.action, action), eq(auditEvents.subjectId, subjectId)));
  return e;
}

describe("listUsers and getUser", () => {
  it("lists people only (never a key's service user), searchable and paged", async () => {
    const { token, key } = await api.token([{ role: "portal_viewer" }]);
    const all: User[] = [];
    let path = "/users?limit=3";
    for (let i = 0; i < 50 && path; i++) {
      const res = await api.call(token, "GET", path);
      expect(res.status).toBe(200);
      all.push(...(res.body.items as User[]));
      path = res.body.next ? `/users?limit=3&cursor=${String(res.body.next)}` : "";
    }
    const people = await t.db.select({ id: users.id }).from(users).where(eq(users.kind, "person"));
    expect(all.map((u) => u.id).sort()).toEqual(people.map((p) => p.id).sort());
    expect(all.some((u) => u.id === key.serviceUserId || u.id === admin.key.serviceUserId)).toBe(false);
    expect((await api.call(token, "GET", `/users/${key.serviceUserId}`)).status).toBe(404);

    const person = await f.user("owner");
    const found = await api.call(token, "GET", `/users?q=${encodeURIComponent(person.email.slice(0, 12).toUpperCase())}&role=owner`);
    expect((found.body.items as User[]).map((u) => u.id)).toEqual([person.id]);
    const one = await api.call(token, "GET", `/users/${person.id}`);
    expect(one.body).toMatchObject({ id: person.id, email: person.email, role: "owner", disabled: false, disabledAt: null });
    expect((await api.call(token, "GET", "/users?role=wizard")).status).toBe(422);
  });

  it("403 for a product-scoped key", async () => {
    const { token } = await api.token([{ role: "product_approver", products: "all" }]);
    const res = await api.call(token, "GET", "/users");
    expect(res.status).toBe(403);
    expect(res.body.requiredRoles).toEqual(["portal_admin", "portal_viewer"]);
  });
});

describe("changeUserRole", () => {
  it("changes the role through changeRole, audited as the key", async () => {
    const person = await f.user("consumer");
    const res = await api.call(admin.token, "POST", `/users/${person.id}/role`, { role: "owner" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: person.id, role: "owner" });
    expect((await row(person.id))?.role).toBe("owner");
    expect(await auditOf("user.role_changed", person.id)).toEqual({ actorId: admin.key.serviceUserId, name: admin.key.name, kind: "service" });
  });

  it("a Portal viewer is refused (403 naming Portal admin, role unchanged); a bad role is a 422 on `role`; a service user is a 404", async () => {
    const person = await f.user("consumer");
    const viewer = await api.token([{ role: "portal_viewer" }]);
    const refused = await api.call(viewer.token, "POST", `/users/${person.id}/role`, { role: "admin" });
    expect(refused.status).toBe(403);
    expect(refused.body.requiredRoles).toEqual(["portal_admin"]);
    expect((await row(person.id))?.role).toBe("consumer");
    const bad = await api.call(admin.token, "POST", `/users/${person.id}/role`, { role: "superuser" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ in: "body", field: "role" })]);
    const service = await api.call(admin.token, "POST", `/users/${viewer.key.serviceUserId}/role`, { role: "admin" });
    expect(service.status).toBe(404);
    expect((await row(viewer.key.serviceUserId))?.role).toBe("consumer");
  });
});

describe("disableUser and enableUser", () => {
  it("disables through setDisabled (their pending request cancelled, revokeKeys honoured), then enables; audited as the key", async () => {
    const person = await f.user();
    const app = await f.app(person.id);
    await addToCart(t.db, person.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
    await submitRequest(t.db, { userId: person.id, baseUrl: "http://portal.test" }, { appId: app.id, reason: "Because" }, {});

    const res = await api.call(admin.token, "POST", `/users/${person.id}/disable?revokeKeys=true`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: person.id, disabled: true }, cancelledRequests: 1, revokedRequests: 0, revokedKeys: 0 });
    expect((await row(person.id))?.disabledAt).not.toBeNull();
    expect(await auditOf("user.disabled", person.id)).toMatchObject({ actorId: admin.key.serviceUserId, name: admin.key.name });
    const disabledOnes = await api.call(admin.token, "GET", `/users?disabled=true&q=${encodeURIComponent(person.email)}`);
    expect((disabledOnes.body.items as User[]).map((u) => u.id)).toEqual([person.id]);
    expect((await api.call(admin.token, "GET", `/users?disabled=false&q=${encodeURIComponent(person.email)}`)).body.items).toEqual([]);

    const back = await api.call(admin.token, "POST", `/users/${person.id}/enable`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: person.id, disabled: false, disabledAt: null });
    expect(await auditOf("user.enabled", person.id)).toMatchObject({ name: admin.key.name });
  });

  it("a Portal viewer cannot disable (403, still enabled); a service user cannot be disabled here (404)", async () => {
    const person = await f.user();
    const viewer = await api.token([{ role: "portal_viewer" }]);
    const refused = await api.call(viewer.token, "POST", `/users/${person.id}/disable`);
    expect(refused.status).toBe(403);
    expect((await row(person.id))?.disabledAt).toBeNull();
    expect((await api.call(admin.token, "POST", `/users/${viewer.key.serviceUserId}/disable`)).status).toBe(404);
    expect((await row(viewer.key.serviceUserId))?.disabledAt).toBeNull();
    expect((await api.call(admin.token, "POST", `/users/${person.id}/disable?revokeKeys=maybe`)).status).toBe(422);
  });
});
