import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests } from "@/db/schema";
import { userActor } from "@/tests/queue-oracle";
import { isolatedDatabase } from "@/tests/database";
import { partsDisagreeing } from "@/tests/requests";
import { catalogueFixture } from "@/tests/fixtures";
import { addToCart } from "@/lib/cart/cart-store";
import { postgresErrorIn } from "@/lib/describe-error";
import { cancelAccessRequest } from "./cancel-access-request";
import { decideRequests } from "./decide-requests";
import { submitRequest } from "./submit-request";

// Each part carries its request's status (drizzle/0031_part_status.sql), which the queue's product
// filter and search read instead of the request's: the database keeps the copy, whatever writes.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const admin = userActor((await f.user("admin")).id, "admin");

async function submitted(slugs: string[] = ["payments", "weather"]) {
  const u = await f.user();
  for (const slug of slugs) await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  const r = await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "App", reason: "Because" }, {});
  return { user: u, id: r.id };
}

const partStatuses = async (requestId: string) =>
  (await t.db.select({ status: accessRequestProducts.status }).from(accessRequestProducts).where(eq(accessRequestProducts.requestId, requestId))).map((p) => p.status);
const requestStatus = async (requestId: string) =>
  (await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, requestId)))[0]?.status;

type Reserved = Awaited<ReturnType<typeof t.sql.reserve>>;

/**
 * Inserts a "weather" part of the request while another transaction has made `change` to the request
 * and not yet committed it: the insert must wait for the change to end (the part trigger's FOR
 * SHARE) rather than copy the request's status and requester from before it.
 */
async function partInsertedDuringChange(requestId: string, change: (changing: Reserved) => Promise<unknown>) {
  const changing = await t.sql.reserve();
  const writing = await t.sql.reserve();
  try {
    await changing`begin`;
    await change(changing);
    await writing`begin`;
    let inserted = false;
    const insert = writing`insert into access_request_products (request_id, product_id) values (${requestId}, ${f.product("weather").id})`.then(() => {
      inserted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(inserted).toBe(false);
    await changing`commit`;
    await insert;
    await writing`commit`;
  } finally {
    // After a failed assertion both may still be in a transaction (the insert waiting): ended first,
    // so the next test does not wait on their locks.
    await changing`rollback`.catch(() => {});
    await writing`rollback`.catch(() => {});
    changing.release();
    writing.release();
  }
}

describe("a part's status", () => {
  it("follows its request through submit, approval, denial and cancellation, one by one and in bulk", async () => {
    const approved = await submitted();
    expect(await partStatuses(approved.id)).toEqual(["pending", "pending"]);
    await decideRequests(t.db, admin, { requestIds: [approved.id], decision: "approve", baseUrl });
    expect(await requestStatus(approved.id)).toBe("approved");
    expect(await partStatuses(approved.id)).toEqual(["approved", "approved"]);

    const denied = await Promise.all([submitted(), submitted(["weather"]), submitted(["payments"])]);
    await decideRequests(t.db, admin, { requestIds: denied.map((d) => d.id), decision: "deny", comment: "Not now", baseUrl });
    const parts = await t.db.select().from(accessRequestProducts).where(inArray(accessRequestProducts.requestId, denied.map((d) => d.id)));
    expect(parts).toHaveLength(4);
    expect(new Set(parts.map((p) => p.status))).toEqual(new Set(["denied"]));

    const cancelled = await submitted();
    await cancelAccessRequest(t.db, admin, { requestId: cancelled.id, comment: "Withdrawn", baseUrl });
    expect(await partStatuses(cancelled.id)).toEqual(["cancelled", "cancelled"]);
    expect(await partsDisagreeing(t.db)).toEqual([]);
  });

  it("is its request's whatever a writer says: an insert or update naming another status, a part moved to another request", async () => {
    const a = await submitted(["payments"]);
    const b = await submitted(["payments"]);
    await decideRequests(t.db, admin, { requestIds: [b.id], decision: "deny", comment: "Not now", baseUrl });
    await t.db.insert(accessRequestProducts).values({ requestId: a.id, productId: f.product("weather").id, status: "available" });
    expect(await partStatuses(a.id)).toEqual(["pending", "pending"]);
    await t.db.update(accessRequestProducts).set({ status: "revoked" }).where(eq(accessRequestProducts.requestId, a.id));
    expect(await partStatuses(a.id)).toEqual(["pending", "pending"]);
    await t.sql`update access_request_products set request_id = ${b.id} where request_id = ${a.id} and product_id = ${f.product("weather").id}`;
    expect((await partStatuses(b.id)).sort()).toEqual(["denied", "denied"]);
    expect(await partsDisagreeing(t.db)).toEqual([]);
  });

  it("carries its request's requester whatever a writer says, and follows a requester changed by hand", async () => {
    const a = await submitted(["payments"]);
    const b = await submitted(["payments"]);
    const requesters = async (requestId: string) =>
      (await t.db.select({ requesterId: accessRequestProducts.requesterId }).from(accessRequestProducts).where(eq(accessRequestProducts.requestId, requestId))).map((p) => p.requesterId);
    expect(await requesters(a.id)).toEqual([a.user.id]);
    await t.db.insert(accessRequestProducts).values({ requestId: a.id, productId: f.product("weather").id, requesterId: b.user.id });
    expect(await requesters(a.id)).toEqual([a.user.id, a.user.id]);
    await t.db.update(accessRequestProducts).set({ requesterId: b.user.id }).where(eq(accessRequestProducts.requestId, a.id));
    expect(await requesters(a.id)).toEqual([a.user.id, a.user.id]);
    // Moved to b's request: b's requester.
    await t.sql`update access_request_products set request_id = ${b.id} where request_id = ${a.id} and product_id = ${f.product("weather").id}`;
    expect(await requesters(b.id)).toEqual([b.user.id, b.user.id]);
    // The app never changes a request's requester; by hand (with the app the request is for), its parts follow.
    const [before] = await t.sql<{ appId: string }[]>`select app_id as "appId" from access_requests where id = ${a.id}`;
    const app = await t.sql<{ id: string }[]>`insert into apps (id, owner_id, name) values (gen_random_uuid()::text, ${b.user.id}, 'Moved') returning id`;
    await t.sql`update access_requests set requester_id = ${b.user.id}, app_id = ${app[0]?.id ?? ""} where id = ${a.id}`;
    expect(await requesters(a.id)).toEqual([b.user.id]);
    expect(await partsDisagreeing(t.db)).toEqual([]);
    // Under REPEATABLE READ or SERIALIZABLE such a change is refused, as a status change is.
    for (const level of ["repeatable read", "serializable"] as const) {
      const refused = await t.sql
        .begin(`isolation level ${level}`, (tx) => tx`update access_requests set requester_id = ${a.user.id}, app_id = ${before?.appId ?? ""} where id = ${a.id}`)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(postgresErrorIn(refused)?.code).toBe("0A000");
      expect(postgresErrorIn(refused)?.message).toContain(`under READ COMMITTED, not ${level.toUpperCase()}`);
    }
    expect(await requesters(a.id)).toEqual([b.user.id]);
  });

  it("a part of a request that does not exist is refused by the foreign key, as before", async () => {
    const err = await t.db.insert(accessRequestProducts).values({ requestId: "no-such-request", productId: f.product("payments").id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(postgresErrorIn(err)?.code).toBe("23503");
  });

  it("a part written while another transaction changes its request's status takes the status committed (FOR SHARE waits)", { timeout: 30_000 }, async () => {
    const r = await submitted(["payments"]);
    await partInsertedDuringChange(r.id, (changing) => changing`update access_requests set status = 'denied' where id = ${r.id}`);
    expect(await partStatuses(r.id)).toEqual(["denied", "denied"]);
    expect(await partsDisagreeing(t.db)).toEqual([]);
  });

  it("a part written while another transaction changes its request's requester takes the requester committed (FOR SHARE waits)", { timeout: 30_000 }, async () => {
    const r = await submitted(["payments"]);
    const other = await f.user();
    const [app] = await t.sql<{ id: string }[]>`insert into apps (id, owner_id, name) values (gen_random_uuid()::text, ${other.id}, 'Theirs') returning id`;
    await partInsertedDuringChange(r.id, (changing) => changing`update access_requests set requester_id = ${other.id}, app_id = ${app?.id ?? ""} where id = ${r.id}`);
    const requesters = await t.sql<{ requesterId: string }[]>`select requester_id as "requesterId" from access_request_products where request_id = ${r.id}`;
    expect(requesters.map((p) => p.requesterId)).toEqual([other.id, other.id]);
    expect(await partsDisagreeing(t.db)).toEqual([]);
  });
});
