import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { createDb } from "@/db/connect";
import { products } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { overviewFigures } from "./overview";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const ownerRow = await f.owner();
const owner = userActor(ownerRow);
// Weather belongs to another owner: its requests are not the first owner's figures.
const otherOwner = userActor(await f.user("owner"));
await t.db.update(products).set({ ownerId: otherOwner.id }).where(eq(products.id, f.product("weather").id));

async function request(slug: string) {
  const u = await f.user();
  await addToCart(t.db, u.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  return submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "App", reason: "Because" }, {});
}

// A pool whose every statement fails at once, as a database that cannot be reached: a database that
// does not exist on the same server (connection refused at start-up, 3D000).
const missing = new URL(t.url);
missing.pathname = "/portico_no_such_database";
const broken = createDb(missing.toString(), { max: 2, timeoutMs: 5_000 });
afterAll(() => broken.sql.end({ timeout: 5 }));

describe("admin overview figures", () => {
  const first = request("payments");

  it("counts what the viewer sees, and names the oldest waiting request", async () => {
    const oldest = await first;
    await request("weather"); // the other owner's
    await approvedRequest({ db: t.db, f, approver: owner, baseUrl });
    const figures = await overviewFigures(t.db, t.db, owner);
    expect(figures.pending).toEqual({ total: 1, capped: false });
    expect(figures.decidedToday).toEqual({ total: 1, capped: false });
    expect(figures.autoWeek).toEqual({ total: 0, capped: false });
    expect(figures.oldest?.id).toBe(oldest.id);
    expect((await overviewFigures(t.db, t.db, otherOwner)).pending).toEqual({ total: 1, capped: false });
  });

  it("keeps the other figures when the queue's pool fails, and says which failed without its parameters", async () => {
    await first;
    // Drizzle's error as a failed statement throws it: its message lists the query's parameters.
    const secret = `secret-${owner.id}`;
    const failing = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return () => {
          throw new DrizzleQueryError("select count(*) from access_requests where requester_id <> $1", [secret], new Error("canceling statement"));
        };
      },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const figures = await overviewFigures(t.db, failing, owner);
      expect(figures.pending).toBeUndefined();
      expect(figures.decidedToday?.total).toBeGreaterThanOrEqual(1);
      expect(figures.oldest).not.toBeUndefined();
      expect(errors.mock.calls.map((c) => c.map(String).join(" "))).toEqual(["admin overview: pending count failed: database query failed"]);
    } finally {
      errors.mockRestore();
    }
  });

  it("answers every figure as failed, rather than failing, when no statement can run", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const figures = await overviewFigures(broken.db, broken.db, owner);
      expect(figures).toEqual({ pending: undefined, decidedToday: undefined, autoWeek: undefined, oldest: undefined });
      expect(errors).toHaveBeenCalledTimes(4);
    } finally {
      errors.mockRestore();
    }
  });

  it("says nothing is waiting (null, not a failure) when nothing is", async () => {
    const figures = await overviewFigures(t.db, t.db, userActor(await f.user("owner")));
    expect(figures.oldest).toBeNull();
    expect(figures.pending).toEqual({ total: 0, capped: false });
  });
});
