import { describe, expect, it } from "vitest";
import { apiKeys, users } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { subjectNames } from "./subject-names";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const person = await f.user();
await addToCart(t.db, person.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
await addToCart(t.db, person.id, { productId: f.product("invoices").id, planId: f.plan("Standard").id });
const request = await submitRequest(t.db, { userId: person.id, baseUrl: "http://x" }, { newAppName: "Acme App", reason: "Because" }, {});
const [key] = await t.db.insert(apiKeys).values({ keyHash: `hash-${person.id}`, start: "ptk_abc1", appId: request.appId, requestId: request.id }).returning();
const [service] = await t.db.insert(users).values({ email: `api-key-x-${person.id}@api-keys.invalid`, name: "Billing sync", kind: "service" }).returning();

describe("audit subjects by name", () => {
  it("names each kind of subject and links it to where it can be looked at", async () => {
    const names = await subjectNames(t.db, [
      { subjectType: "request", subjectId: request.id },
      { subjectType: "product", subjectId: f.product("payments").id },
      { subjectType: "plan", subjectId: f.plan("Standard").id },
      { subjectType: "user", subjectId: person.id },
      { subjectType: "user", subjectId: service?.id ?? "" },
      { subjectType: "key", subjectId: key?.id ?? "" },
      { subjectType: "app", subjectId: request.appId },
      { subjectType: "setting", subjectId: "second_factor_policy" },
      { subjectType: "product", subjectId: "gone" },
      { subjectType: "setting", subjectId: "constructor" },
    ]);
    const read = [...names].map(([key, { label, href }]) => [key, { label, href }]);
    expect(Object.fromEntries(read)).toEqual({
      [`request:${request.id}`]: { label: "Invoices API, Payments API for Acme App", href: `/admin/requests/${request.id}` },
      [`product:${f.product("payments").id}`]: { label: "Payments API", href: `/admin/products/${f.product("payments").id}` },
      [`plan:${f.plan("Standard").id}`]: { label: "Standard plan", href: `/admin/plans/${f.plan("Standard").id}` },
      [`user:${person.id}`]: { label: `${person.name} (${person.email})`, href: `/admin/users?q=${encodeURIComponent(person.email)}` },
      [`user:${service?.id}`]: { label: "Billing sync (API key)", href: null },
      [`key:${key?.id}`]: { label: "Key ptk_abc1… of Acme App", href: "/admin/keys?q=ptk_abc1" },
      [`app:${request.appId}`]: { label: "Acme App", href: null },
      "setting:second_factor_policy": { label: "Sign-in policy", href: "/admin/security" },
    });
  });

  it("marks what people typed in a label, so the page isolates each typed piece and not the portal's words", async () => {
    const names = await subjectNames(t.db, [
      { subjectType: "request", subjectId: request.id },
      { subjectType: "user", subjectId: person.id },
      { subjectType: "user", subjectId: service?.id ?? "" },
      { subjectType: "key", subjectId: key?.id ?? "" },
      { subjectType: "plan", subjectId: f.plan("Standard").id },
    ]);
    expect(names.get(`request:${request.id}`)?.parts).toEqual([{ typed: "Invoices API" }, ", ", { typed: "Payments API" }, " for ", { typed: "Acme App" }]);
    expect(names.get(`user:${person.id}`)?.parts).toEqual([{ typed: person.name }, " (", { typed: person.email }, ")"]);
    expect(names.get(`user:${service?.id}`)?.parts).toEqual([{ typed: "Billing sync" }, " (API key)"]);
    expect(names.get(`key:${key?.id}`)?.parts).toEqual(["Key ptk_abc1… of ", { typed: "Acme App" }]);
    expect(names.get(`plan:${f.plan("Standard").id}`)?.parts).toEqual([{ typed: "Standard" }, " plan"]);
  });

  it("asks nothing for an empty page", async () => {
    expect((await subjectNames(t.db, [])).size).toBe(0);
  });
});
