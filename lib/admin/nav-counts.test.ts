import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createDb } from "@/db/connect";
import { plans, products } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { NAV_COUNT_CAP, navCountText } from "./nav-count-cap";
import { navCounts, navCountsOrNone } from "./nav-counts";
import { parseQueueParams } from "./queue-params";
import { queryQueue } from "./queue-query";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const owner = userActor(await f.owner());
// Weather belongs to another owner: their requests are never the first owner's to count.
const otherOwnerRow = await f.user("owner");
const otherOwner = userActor(otherOwnerRow);
await t.db.update(products).set({ ownerId: otherOwnerRow.id }).where(eq(products.id, f.product("weather").id));
const admin = userActor(await f.user("admin"));
await t.db.update(plans).set({ reviewRequired: true }).where(eq(plans.id, f.plan("Standard").id));

async function request(userId: string, slugs: string[]) {
  for (const slug of slugs) await addToCart(t.db, userId, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId, baseUrl }, { newAppName: `App ${slugs.join("+")}`, reason: "Because" }, {});
}

describe("admin navigation badges", () => {
  it("counts what each viewer may decide, and open reviews they see", async () => {
    expect(await navCounts(t.db, owner)).toEqual({ queue: 0, reviews: 0 });

    const alice = await f.user();
    await request(alice.id, ["payments"]); // the owner's product
    await request((await f.user()).id, ["weather"]); // the other owner's product
    await request(owner.id, ["invoices"]); // the owner's own request: another approver decides
    const both = await request((await f.user()).id, ["geocoding", "weather"]); // one part each
    const denied = await request((await f.user()).id, ["fx-rates"]);
    await decideRequests(t.db, owner, { requestIds: [denied.id], decision: "deny", comment: "Not for this use", baseUrl });

    expect(await navCounts(t.db, owner)).toEqual({ queue: 2, reviews: 0 });
    expect(await navCounts(t.db, otherOwner)).toEqual({ queue: 2, reviews: 0 });
    expect(await navCounts(t.db, admin)).toEqual({ queue: 4, reviews: 0 });

    // The owner approves their part of the shared request: it waits only for the other owner now.
    await decideRequests(t.db, owner, { requestIds: [both.id], decision: "approve", baseUrl });
    expect(await navCounts(t.db, owner)).toEqual({ queue: 1, reviews: 0 });
    expect(await navCounts(t.db, otherOwner)).toEqual({ queue: 2, reviews: 0 });

    // An approval on a review-required plan opens a review: the owner sees it, the other owner does not.
    const reviewed = await request((await f.user()).id, ["payments"]);
    await decideRequests(t.db, admin, { requestIds: [reviewed.id], decision: "approve", baseUrl });
    expect(await navCounts(t.db, owner)).toEqual({ queue: 1, reviews: 1 });
    expect(await navCounts(t.db, otherOwner)).toEqual({ queue: 2, reviews: 0 });
    expect((await navCounts(t.db, admin)).reviews).toBe(1);
  });

  it("agrees with the queue's own 'may decide' for the admin and an owner, once they approved a two-approver request", async () => {
    // The badge's "already approved, none of my parts waiting" test is the queue's mayDecide; the
    // admin is the one whose approvals are many at scale (the badge then probes them per request).
    const decidable = async (actor: typeof admin) => {
      const { rows } = await queryQueue(t.db, actor, parseQueueParams({ status: "pending", size: "100" }));
      return rows.filter((r) => r.mayDecide).length;
    };
    await t.db.update(plans).set({ approvalsRequired: 2 }).where(eq(plans.id, f.plan("Standard").id));
    try {
      const twice = await request((await f.user()).id, ["payments"]);
      const before = { admin: (await navCounts(t.db, admin)).queue, owner: (await navCounts(t.db, owner)).queue };
      expect(before).toEqual({ admin: await decidable(admin), owner: await decidable(owner) });
      await decideRequests(t.db, admin, { requestIds: [twice.id], decision: "approve", baseUrl });
      const after = { admin: (await navCounts(t.db, admin)).queue, owner: (await navCounts(t.db, owner)).queue };
      expect(after).toEqual({ admin: await decidable(admin), owner: await decidable(owner) });
      // Still pending, one approval short: the owner may still decide it, the admin no longer.
      expect(after).toEqual({ admin: before.admin - 1, owner: before.owner });
    } finally {
      await t.db.update(plans).set({ approvalsRequired: 1 }).where(eq(plans.id, f.plan("Standard").id));
    }
  });

  it("counts nothing for a consumer or a disabled owner", async () => {
    expect(await navCounts(t.db, userActor(await f.user()))).toEqual({ queue: 0, reviews: 0 });
    expect(await navCounts(t.db, userActor({ ...(await f.owner()), disabledAt: new Date() }))).toEqual({ queue: 0, reviews: 0 });
  });

  it("counts up to 100 and no further (the badge reads 99+): it runs on every admin page", async () => {
    for (let i = 0; i < 101; i++) await request((await f.user()).id, ["payments"]);
    const counts = await navCounts(t.db, owner);
    expect(counts.queue).toBe(NAV_COUNT_CAP);
    expect(navCountText(counts.queue)).toBe("99+");
    expect(navCountText(NAV_COUNT_CAP - 1)).toBe("99");
  });
});

describe("admin navigation badges on a database that does not answer", () => {
  // A database that does not exist on the same server: every statement fails (3D000).
  const missing = new URL(t.url);
  missing.pathname = "/portico_no_such_database";
  const broken = createDb(missing.toString(), { max: 1, timeoutMs: 5_000 });
  afterAll(() => broken.sql.end({ timeout: 5 }));

  it("shows no badges instead of failing the page, and logs the failure by its code", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await expect(navCounts(broken.db, owner)).rejects.toThrow();
      expect(await navCountsOrNone(broken.db, owner)).toEqual({ queue: 0, reviews: 0 });
      expect(errors.mock.calls.map((c) => String(c[0]))).toEqual(["admin navigation: badge counts failed: database error 3D000"]);
    } finally {
      errors.mockRestore();
    }
  });
});
