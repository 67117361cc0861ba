import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, emailMessages } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { revokedBefore } from "./revoked-before";
import { resubmitRequest } from "./requester-actions";
import { submitRequest } from "./submit-request";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const owner = await f.owner();

async function freeRequest(userId: string, appId: string, slug = "weather") {
  await addToCart(t.db, userId, { productId: f.product(slug).id, planId: f.plan("Free").id });
  return submitRequest(t.db, { userId, baseUrl }, { appId, reason: "Need it" }, {});
}

async function revoked(userId: string, appId: string) {
  const req = await freeRequest(userId, appId);
  expect(req.status).toBe("approved");
  await revokeRequests(t.db, userActor(owner), { requestIds: [req.id], reason: "Abuse", baseUrl });
  return req;
}

describe("access after a revocation is never automatic", () => {
  it("a resubmitted revoked request on an auto-approve plan waits for an approver, who is emailed", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    const old = await revoked(u.id, app.id);
    const again = await resubmitRequest(t.db, { userId: u.id, baseUrl }, old.id);
    expect(again.status).toBe("pending");
    const [withheld] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, again.id), eq(auditEvents.action, "request.auto_approve_withheld")));
    expect(withheld?.data).toMatchObject({ revokedRequestId: old.id });
    const mails = await t.db.select().from(emailMessages).where(eq(emailMessages.template, "new-request"));
    expect(mails.some((m) => JSON.stringify(m.props).includes(again.id))).toBe(true);
  });

  it("a new cart request for the same product, even from a new app, waits too; other products still auto-approve", async () => {
    const u = await f.user();
    await revoked(u.id, (await f.app(u.id)).id);
    const fresh = await freeRequest(u.id, (await f.app(u.id, "Another app")).id);
    expect(fresh.status).toBe("pending");
    const other = await freeRequest(u.id, (await f.app(u.id, "Third app")).id, "geocoding");
    expect(other.status).toBe("approved");
  });
});

describe("the cart's question, before an app is chosen", () => {
  it("names a revocation of these products for this person, and nothing for another person or product", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    const weather = [f.product("weather").id];
    expect(await revokedBefore(t.db, { requesterId: u.id, appId: null, productIds: weather })).toBeNull();
    const old = await revoked(u.id, app.id);
    expect(await revokedBefore(t.db, { requesterId: u.id, appId: null, productIds: weather })).toBe(old.id);
    expect(await revokedBefore(t.db, { requesterId: u.id, appId: null, productIds: [f.product("payments").id] })).toBeNull();
    expect(await revokedBefore(t.db, { requesterId: (await f.user()).id, appId: null, productIds: weather })).toBeNull();
  });
});
