import { describe, expect, it } from "vitest";
import { auditExportQuery, listAudit, who } from "@/lib/audit/queries";
import { recordEvent } from "@/lib/audit/record-event";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { addApiKeySchema, editApiKeySchema } from "./key-form";
import { createApiAccessKey, removeApiAccessKey, updateApiAccessKey } from "./manage";
import { apiAccessKeyActivity } from "./queries";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const issuer = "http://portal.test";

describe("an API key in the audit log and on its own page", () => {
  it("the audit log names the key and says API key, never its service user's address; its page lists what it did, newest first", async () => {
    const admin = userActor(await f.user("admin"));
    const payments = f.product("payments");
    const { key } = await createApiAccessKey(t.db, admin, { name: "Billing sync", expiry: "90d", roles: [{ role: "product_approver", products: [payments.id] }], issuer });
    const other = await createApiAccessKey(t.db, admin, { name: "Other bot", expiry: "90d", roles: [{ role: "portal_viewer" }], issuer });
    await recordEvent(t.db, { actorId: key.serviceUserId, action: "request.approved", subjectType: "request", subjectId: "req-by-key" });
    await recordEvent(t.db, { actorId: other.key.serviceUserId, action: "request.denied", subjectType: "request", subjectId: "req-by-other" });
    await updateApiAccessKey(t.db, admin, { keyId: key.id, roles: [{ role: "product_approver", products: "all" }] });
    await removeApiAccessKey(t.db, admin, { keyId: key.id });

    const { rows } = await listAudit(t.db, { subjectId: "req-by-key" });
    expect(rows).toHaveLength(1);
    const row = rows[0];
    if (!row) throw new Error("no row");
    expect(who(row)).toBe("Billing sync (API key)");
    expect(row.actorKeyId).toBe(key.id);
    expect(JSON.stringify(rows.map(who))).not.toContain("api-keys.invalid");
    // The CSV export's query: one "id" column (the event's), the actor by name, never the address.
    const exported = auditExportQuery(t.db, admin, { subjectId: "req-by-key" });
    const csvRows = (await t.sql.unsafe(exported.sql, exported.params as never[])) as unknown as { id: string; kind: string; name: string }[];
    expect(csvRows.map((r) => [String(r.id), r.kind, r.name])).toEqual([[String(row.id), "service", "Billing sync"]]);
    // The "Who" filter finds a key by its name, not by the internal address.
    expect((await listAudit(t.db, { actor: "billing sync" })).rows.map((r) => r.subjectId)).toContain("req-by-key");
    expect((await listAudit(t.db, { actor: "api-keys.invalid" })).rows).toHaveLength(0);

    const activity = await apiAccessKeyActivity(t.db, admin, key);
    expect(activity.map((e) => [e.action, e.byKey])).toEqual([
      ["api_access_key.removed", false],
      ["api_access_key.updated", false],
      ["request.approved", true],
      ["api_access_key.created", false],
    ]);
    // Only admins read it.
    await expect(apiAccessKeyActivity(t.db, userActor(await f.user("owner")), key)).rejects.toThrow(/Only an admin/);
  });
});

describe("the Add and Edit forms' schema (the browser's resolver and the server action share it)", () => {
  const formRows = [{ role: "product_viewer", allProducts: false, products: [] }];
  it("refuses the same things with the same words at the same fields, from form values or FormData's JSON", () => {
    const asForm = addApiKeySchema.safeParse({ name: " ", expiry: "custom", customDays: "900", roles: formRows });
    const asFormData = addApiKeySchema.safeParse({ name: " ", expiry: "custom", customDays: "900", roles: JSON.stringify(formRows) });
    const issues = (r: typeof asForm) => r.error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(issues(asForm)).toEqual([
      ["name", "Give the key a name."],
      ["roles.0.products", "Choose at least one product, or All products."],
      ["customDays", "At most 730 days."],
    ]);
    expect(issues(asFormData)).toEqual(issues(asForm));
    expect(editApiKeySchema.safeParse({ id: crypto.randomUUID(), roles: "[]" }).error?.issues[0]?.message).toBe("Give the key at least one role.");
  });

  it("turns role rows into grants: All products, a list, and portal roles without products", () => {
    const id = crypto.randomUUID();
    const parsed = addApiKeySchema.parse({
      name: "CI",
      expiry: "6m",
      customDays: "",
      roles: JSON.stringify([
        { role: "product_approver", allProducts: true, products: [id] },
        { role: "product_viewer", allProducts: false, products: [id] },
        { role: "portal_viewer", allProducts: false, products: [id] },
      ]),
    });
    expect(parsed).toEqual({
      name: "CI",
      expiry: "6m",
      customDays: undefined,
      roles: [{ role: "product_approver", products: "all" }, { role: "product_viewer", products: [id] }, { role: "portal_viewer" }],
    });
  });
});
