import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, products } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture } from "@/tests/fixtures";
import { userActor as user } from "@/tests/queue-oracle";
import { COUNT_CAP, queryQueue } from "./queue-query";
import { parseQueueParams } from "./queue-params";

// The product filter and the search by product name decide visibility themselves for a product the
// viewer decides for (requestsWithProductVisibleTo, requestsVisibleThrough): every viewer here is one
// who sees some of a product's requests and not others, or none while looking as if they might.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const otherOwner = await f.user("owner");
const other = await f.newProduct("other-api", "Other API", otherOwner.id);
const payments = f.product("payments");
const carol = await f.user();
const dave = await f.user();

async function submit(userId: string, productIds: string[], app: string) {
  for (const productId of productIds) await addToCart(t.db, userId, { productId, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId, baseUrl: "http://x" }, { newAppName: app, reason: "Testing" }, {});
}
// Payments alone, both products at once, and Other API alone.
const paymentsOnly = await submit(dave.id, [payments.id], "Dave's app");
const mixed = await submit(carol.id, [payments.id, other.id], "Carol's app");
const otherOnly = await submit(dave.id, [other.id], "Dave's other app");

const key = (grants: Extract<Actor, { kind: "apiKey" }>["grants"]) => apiKeyActor(otherOwner.id, grants);

async function seen(actor: Actor, productId: string, status = "all") {
  const page = await queryQueue(t.db, actor, parseQueueParams({ status, product: productId }));
  expect(page.total).toBe(page.rows.length);
  return page.rows.map((r) => r.id).sort();
}
const sorted = (...ids: string[]) => [...ids].sort();

describe("the queue's product filter, viewer by viewer", () => {
  it("shows an owner every request of their product, and of another's only those touching theirs", async () => {
    expect(await seen(user(owner.id, "owner"), payments.id)).toEqual(sorted(paymentsOnly.id, mixed.id));
    expect(await seen(user(owner.id, "owner"), other.id)).toEqual([mixed.id]);
    expect(await seen(user(otherOwner.id, "owner"), other.id)).toEqual(sorted(mixed.id, otherOnly.id));
    expect(await seen(user(otherOwner.id, "owner"), payments.id)).toEqual([mixed.id]);
    // Pending is the default view, and the one whose count the shortcut serves.
    expect(await seen(user(otherOwner.id, "owner"), payments.id, "pending")).toEqual([mixed.id]);
  });

  it("shows a disabled owner, the requester themself and a consumer nothing; an admin everything", async () => {
    expect(await seen(user(owner.id, "owner", true), payments.id)).toEqual([]);
    expect(await seen(user(owner.id, "admin", true), payments.id)).toEqual([]);
    expect(await seen(user(carol.id, "consumer"), payments.id)).toEqual([]);
    expect(await seen(user(carol.id, "consumer"), other.id)).toEqual([]);
    expect(await seen(user(carol.id, "admin"), other.id)).toEqual(sorted(mixed.id, otherOnly.id));
  });

  it("shows an API key the requests of the products in its scope, and of others only those touching them", async () => {
    const approver = key([{ role: "product_approver", products: [other.id] }]);
    expect(await seen(approver, other.id)).toEqual(sorted(mixed.id, otherOnly.id));
    expect(await seen(approver, payments.id)).toEqual([mixed.id]);
    expect(await seen(key([{ role: "product_viewer", products: [payments.id] }]), other.id)).toEqual([mixed.id]);
    expect(await seen(key([{ role: "portal_viewer" }]), other.id)).toEqual(sorted(mixed.id, otherOnly.id));
    expect(await seen(key([]), payments.id)).toEqual([]);
  });

  it("shows a product nobody asked for as empty, and a product that does not exist too", async () => {
    const unasked = await f.newProduct("unasked", "Unasked API", owner.id);
    expect(await seen(user(owner.id, "owner"), unasked.id)).toEqual([]);
    expect(await seen(user(owner.id, "owner"), randomUUID())).toEqual([]);
    await t.db.delete(products).where(eq(products.slug, "unasked"));
    expect(COUNT_CAP).toBeGreaterThan(3);
  });
});

describe("the queue's search, viewer by viewer", () => {
  // Every request the viewer sees, filtered here by the text as a person would read the rows: the
  // search's union of lookups must give the same.
  async function expected(actor: Actor, text: string, extra: Record<string, string> = {}) {
    const all = await queryQueue(t.db, actor, parseQueueParams({ status: "all", size: "100", ...extra }));
    const needle = text.toLowerCase();
    return all.rows
      .filter((r) =>
        [r.requesterEmail, r.requesterName ?? "", r.appName, r.reason ?? "", ...r.productNames].some((v) => v.toLowerCase().includes(needle)),
      )
      .map((r) => r.id)
      .sort();
  }
  async function searched(actor: Actor, text: string, extra: Record<string, string> = {}) {
    const page = await queryQueue(t.db, actor, parseQueueParams({ status: "all", size: "100", q: text, ...extra }));
    expect(page.total).toBe(page.rows.length);
    return page.rows.map((r) => r.id).sort();
  }
  const viewers: [string, Actor][] = [
    ["the owner of Payments", user(owner.id, "owner")],
    ["the owner of Other API", user(otherOwner.id, "owner")],
    ["a disabled owner", user(owner.id, "owner", true)],
    ["the requester themself", user(carol.id, "consumer")],
    ["an admin", user(dave.id, "admin")],
    ["a key approving Other API", key([{ role: "product_approver", products: [other.id] }])],
    ["a key reading everything", key([{ role: "portal_viewer" }])],
  ];
  for (const [who, actor] of viewers) {
    it(`finds for ${who} what they see and no more, by product, app, person or reason`, async () => {
      for (const text of ["Other API", "payments", carol.email, "Dave's other", "Testing", "API", "example", "nothing like it"]) {
        expect(await searched(actor, text), text).toEqual(await expected(actor, text));
        expect(await searched(actor, text, { product: payments.id }), `${text}, Payments`).toEqual(
          await expected(actor, text, { product: payments.id }),
        );
      }
    });
  }

  it("finds an owner the requests of another's product only where they touch theirs", async () => {
    expect(await searched(user(owner.id, "owner"), "Other API")).toEqual([mixed.id]);
    expect(await searched(user(otherOwner.id, "owner"), "Other API")).toEqual(sorted(mixed.id, otherOnly.id));
    expect(await searched(user(otherOwner.id, "owner"), "Payments")).toEqual([mixed.id]);
  });
});

describe("a request's app", () => {
  it("is its requester's own: the database refuses a request for another person's app", async () => {
    const [request] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, mixed.id));
    if (!request) throw new Error("no request");
    const { id: _id, ...rest } = request;
    // Carol asks for Dave's app: the queue sorted by app passes over the apps of people it does not name.
    const failure = await t.db.insert(accessRequests).values({ ...rest, requesterId: dave.id }).then(() => null, (e: unknown) => e);
    expect(String((failure as { cause?: unknown })?.cause ?? failure)).toMatch(/access_requests_app_owner_fk/);
  });
});
