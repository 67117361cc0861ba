import { and, count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, products, users } from "@/db/schema";
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
const fresh = () => {
  const tag = `${Date.now().toString(36)}-${++n}`;
  return { name: `Api product ${tag}`, slug: `api-product-${tag}` };
};
const productCount = async () => (await t.db.select({ n: count() }).from(products))[0]?.n;

/** The audit event of this action on this subject, with its actor's name and kind. */
async function auditOf(action: string, subjectId: string) {
  const [row] = await t.db
    .select({ actorId: auditEvents.actorId, name: users.name, kind: users.kind })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.action, action), eq(auditEvents.subjectId, subjectId)));
  return row;
}

describe("createProduct", () => {
  it("creates a draft owned by the key's creator, audited with the key as the actor", async () => {
    const body = { ...fresh(), summary: "Made by a script.", tags: ["ci"], planIds: [f.plan("Free").id] };
    const res = await api.call(admin.token, "POST", "/products", body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: body.name, slug: body.slug, status: "draft", authMethod: "api_key", planIds: [f.plan("Free").id] });
    expect((res.body.owner as { id: string }).id).toBe(admin.admin.id);
    expect(res.headers.get("location")).toBe(`/api/v1/products/${String(res.body.id)}`);
    const audit = await auditOf("product.created", String(res.body.id));
    expect(audit).toEqual({ actorId: admin.key.serviceUserId, name: admin.key.name, kind: "service" });
  });

  it("takes another owner by email, and refuses a consumer or a key's service user as owner (422 on ownerEmail)", async () => {
    const owner = await f.owner();
    const made = await api.call(admin.token, "POST", "/products", { ...fresh(), ownerEmail: owner.email.toUpperCase() });
    expect(made.status).toBe(201);
    expect((made.body.owner as { id: string }).id).toBe(owner.id);

    const before = await productCount();
    const consumer = await f.user("consumer");
    const [service] = await t.db.select().from(users).where(eq(users.id, admin.key.serviceUserId));
    for (const email of [consumer.email, service?.email, "nobody@example.com"]) {
      const res = await api.call(admin.token, "POST", "/products", { ...fresh(), ownerEmail: email });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ in: "body", field: "ownerEmail" })]);
    }
    expect(await productCount()).toBe(before);
  });

  it("422 with per-field errors for a bad body; nothing written", async () => {
    const before = await productCount();
    const wrongType = await api.call(admin.token, "POST", "/products", { name: 5, slug: "ok-slug", colour: "red" });
    expect(wrongType.status).toBe(422);
    const fields = (wrongType.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toContain("name");
    const badRules = await api.call(admin.token, "POST", "/products", { name: "Fine", slug: "Not A Slug", tags: ["UPPER CASE"] });
    expect(badRules.status).toBe(422);
    expect((badRules.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["slug", "tags.0"]);
    const taken = await api.call(admin.token, "POST", "/products", { name: "Dup", slug: "payments" });
    expect(taken.status).toBe(422);
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: "slug" })]);
    expect(await productCount()).toBe(before);
  });

  it("403 naming Portal admin for a Portal viewer, a Product viewer and a Product approver; nothing written", async () => {
    const before = await productCount();
    for (const roles of [[{ role: "portal_viewer" as const }], [{ role: "product_approver" as const, products: "all" as const }], [{ role: "product_viewer" as const, products: [f.product("payments").id] }]]) {
      const { token } = await api.token(roles);
      const res = await api.call(token, "POST", "/products", fresh());
      expect(res.status).toBe(403);
      expect(res.body.requiredRoles).toEqual(["portal_admin"]);
      expect(String(res.body.detail)).toContain("Portal admin");
    }
    expect(await productCount()).toBe(before);
  });
});

describe("updateProduct", () => {
  it("changes only the fields sent, audited as the key", async () => {
    const made = await api.call(admin.token, "POST", "/products", { ...fresh(), summary: "Before.", tags: ["a"], planIds: [f.plan("Free").id] });
    const id = String(made.body.id);
    const res = await api.call(admin.token, "PATCH", `/products/${id}`, { summary: "After." });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ summary: "After.", tags: ["a"], planIds: [f.plan("Free").id], name: made.body.name });
    expect(await auditOf("product.updated", id)).toMatchObject({ actorId: admin.key.serviceUserId, name: admin.key.name });
  });

  it("404 for an unknown product, 422 per field, 403 for a Portal viewer with the row unchanged", async () => {
    expect((await api.call(admin.token, "PATCH", `/products/${crypto.randomUUID()}`, { summary: "x" })).status).toBe(404);
    const payments = f.product("payments");
    const bad = await api.call(admin.token, "PATCH", `/products/${payments.id}`, { slug: "no spaces", planIds: "not a list" });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toContain("planIds");
    const viewer = await api.token([{ role: "portal_viewer" }]);
    const refused = await api.call(viewer.token, "PATCH", `/products/${payments.id}`, { summary: "Hijacked." });
    expect(refused.status).toBe(403);
    expect(refused.body.requiredRoles).toEqual(["portal_admin"]);
    const [row] = await t.db.select().from(products).where(eq(products.id, payments.id));
    expect(row?.summary).toBe(payments.summary);
  });
});

describe("publish, unpublish, archive", () => {
  it("moves a product through its states, audited as the key; a wrong state is 409", async () => {
    const made = await api.call(admin.token, "POST", "/products", { ...fresh(), planIds: [f.plan("Free").id] });
    const id = String(made.body.id);
    const published = await api.call(admin.token, "POST", `/products/${id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe("published");
    expect(await auditOf("product.published", id)).toMatchObject({ actorId: admin.key.serviceUserId, name: admin.key.name });
    expect((await api.call(admin.token, "POST", `/products/${id}/publish`)).status).toBe(409);
    expect((await api.call(admin.token, "POST", `/products/${id}/unpublish`)).body.status).toBe("draft");
    const archived = await api.call(admin.token, "POST", `/products/${id}/archive`);
    expect(archived.body.status).toBe("archived");
    expect(await auditOf("product.archived", id)).toMatchObject({ name: admin.key.name });
  });

  it("publishing without a plan is a 422 on planIds", async () => {
    const made = await api.call(admin.token, "POST", "/products", fresh());
    const res = await api.call(admin.token, "POST", `/products/${String(made.body.id)}/publish`);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "planIds" })]);
  });

  it("a Product approver of that very product may not publish it (403, status unchanged)", async () => {
    const beta = f.product("ledger-beta");
    const { token } = await api.token([{ role: "product_approver", products: [beta.id] }]);
    const res = await api.call(token, "POST", `/products/${beta.id}/publish`);
    expect(res.status).toBe(403);
    expect(res.body.requiredRoles).toEqual(["portal_admin"]);
    const [row] = await t.db.select({ status: products.status }).from(products).where(eq(products.id, beta.id));
    expect(row?.status).toBe("draft");
  });
});
