import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { changeRole } from "@/lib/users/user-admin";
import { apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
let admin: Awaited<ReturnType<ReturnType<typeof apiHarness>["token"]>>;
let viewer: Awaited<ReturnType<ReturnType<typeof apiHarness>["token"]>>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
  admin = await api.token([{ role: "portal_admin" }], `CI publisher ${Math.random().toString(36).slice(2, 8)}`);
  viewer = await api.token([{ role: "portal_viewer" }]);
});

type Event = { id: string; action: string; subjectId: string; actor: { type: string; id: string | null; name: string; email: string | null } };

/** A product made, edited and published through the API: three events by the admin key. */
async function productWithHistory() {
  const tag = Math.random().toString(36).slice(2, 8);
  const made = await api.call(admin.token, "POST", "/products", { name: `Audited ${tag}`, slug: `audited-${tag}`, planIds: [f.plan("Free").id] });
  const id = String(made.body.id);
  await api.call(admin.token, "PATCH", `/products/${id}`, { summary: "Edited." });
  await api.call(admin.token, "POST", `/products/${id}/publish`);
  return id;
}

describe("listAuditEvents", () => {
  it("names the API key as the actor of API changes, and a person by email; filters as the audit page does", async () => {
    const id = await productWithHistory();
    const res = await api.call(viewer.token, "GET", `/audit-events?subjectType=product&subjectId=${id}`);
    expect(res.status).toBe(200);
    const events = res.body.items as Event[];
    expect(events.map((e) => e.action)).toEqual(["product.published", "product.updated", "product.created"]);
    for (const e of events) expect(e.actor).toEqual({ type: "api_key", id: admin.key.id, name: admin.key.name, email: null });

    const byKeyName = await api.call(viewer.token, "GET", `/audit-events?actor=${encodeURIComponent(admin.key.name.toUpperCase())}&action=product.published&subjectId=${id}`);
    expect((byKeyName.body.items as Event[]).map((e) => e.subjectId)).toEqual([id]);

    const person = await f.user();
    const human = await f.user("admin");
    await changeRole(t.db, userActor(human), { userId: person.id, role: "owner" });
    const roleEvents = await api.call(viewer.token, "GET", `/audit-events?action=user.role_changed&subjectId=${person.id}&actor=${encodeURIComponent(human.email)}`);
    expect((roleEvents.body.items as Event[]).map((e) => e.actor)).toEqual([{ type: "user", id: human.id, name: human.name, email: human.email }]);
  });

  it("pages newest first with a keyset cursor and a Link header, exactly as the table orders them", async () => {
    await productWithHistory();
    const seen: string[] = [];
    let path = "/audit-events?subjectType=product&limit=2";
    for (let i = 0; i < 100 && path; i++) {
      const res = await api.call(viewer.token, "GET", path);
      expect(res.status).toBe(200);
      seen.push(...(res.body.items as Event[]).map((e) => e.id));
      if (res.body.next) expect(res.headers.get("link")).toMatch(/rel="next"/);
      path = res.body.next ? `/audit-events?subjectType=product&limit=2&cursor=${String(res.body.next)}` : "";
    }
    const rows = await t.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.subjectType, "product"))
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id));
    expect(seen).toEqual(rows.map((r) => String(r.id)));
    expect(seen.length).toBeGreaterThan(2);
  });

  it("422 for a bad filter or cursor; 403 naming Portal admin or Portal viewer for product-scoped keys", async () => {
    for (const q of ["subjectType=planet", "from=2026-13-01", "from=2026-05-02&to=2026-05-01", "action=DROP TABLE", "cursor=abc", "limit=500"]) {
      const res = await api.call(viewer.token, "GET", `/audit-events?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.body.errors, q).toBeDefined();
    }
    const { token } = await api.token([{ role: "product_approver", products: "all" }]);
    for (const path of ["/audit-events", "/audit-events/export"]) {
      const res = await api.call(token, "GET", path);
      expect(res.status).toBe(403);
      expect(res.body.requiredRoles).toEqual(["portal_admin", "portal_viewer"]);
    }
  });
});

describe("exportAuditEvents", () => {
  it("streams the filtered log as CSV, naming the key as who", async () => {
    const id = await productWithHistory();
    const res = await api.call(viewer.token, "GET", `/audit-events/export?subjectId=${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="portico-audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = String(res.body).trim().split("\n");
    expect(lines[0]).toBe("id,when,who,action,subject_type,subject_id,comment,from,data");
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(["product.published", "product.updated", "product.created"]);
    for (const l of lines.slice(1)) expect(l).toContain(`${admin.key.name} (API key)`);
    const [first] = await t.db.select({ id: auditEvents.id }).from(auditEvents).where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, "product.published")));
    expect(lines[1]?.startsWith(`${first?.id},`)).toBe(true);
  });
});
