import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/cart-store";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { nameOutcomes } from "./queue-outcomes";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const admin = await f.user("admin");
const asAdmin = { kind: "user" as const, id: admin.id, role: "admin" as const, disabled: false };
const alice = await f.user();

async function submit(slug: string, app: string) {
  await addToCart(t.db, alice.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId: alice.id, baseUrl: "http://x" }, { newAppName: app, reason: "r" }, {});
}

describe("naming a bulk decision's outcomes", () => {
  it("names each approved request by its products and app, and each one left unchanged with why", async () => {
    const a = await submit("payments", "Acme App");
    const b = await submit("weather", "Beta App");
    const c = await submit("geocoding", "Gamma App");
    await decideRequests(t.db, asAdmin, { requestIds: [c.id], decision: "deny", comment: "no", baseUrl: "http://x" });
    const outcomes = await decideRequests(t.db, asAdmin, { requestIds: [a.id, b.id, c.id], decision: "approve", baseUrl: "http://x" });
    const named = await nameOutcomes(t.db, asAdmin, outcomes);
    expect(named.done).toEqual([`Approved 2: ${f.product("payments").name} for Acme App; ${f.product("weather").name} for Beta App.`]);
    expect(named.problems).toEqual([`${f.product("geocoding").name} for Gamma App was already decided: not changed.`]);
  });
});
