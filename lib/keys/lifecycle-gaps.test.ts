import { and, desc, eq, inArray, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, emailMessages } from "@/db/schema";
import { addToCart } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { unseal } from "@/lib/mail/sealed";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { claimKey } from "./claim-key";
import { rollKey } from "./key-lifecycle";
import { lookupKey, verifyKey } from "./verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = { id: owner.id, role: "owner" as const };
const verify = (key: string, product?: string, now?: Date) => verifyKey({ key, product }, (h) => lookupKey(t.sql, h), { prefix, now });

async function approvedRequest(opts: { startsAt?: Date; durationDays?: number } = {}) {
  const u = await f.user();
  await addToCart(t.db, u.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
  const req = await submitRequest(
    t.db,
    { userId: u.id, baseUrl },
    { newAppName: "App", reason: "Because", startsAt: opts.startsAt?.toISOString(), durationDays: opts.durationDays },
    {},
  );
  await decideRequests(t.db, { approver, baseUrl }, { requestIds: [req.id], decision: "approve" });
  return { user: u, request: req, token: await latestToken(req.id) };
}

async function latestToken(requestId: string) {
  const [message] = await t.db
    .select()
    .from(emailMessages)
    .where(and(inArray(emailMessages.template, ["approved", "claim-link"]), like(sql`${emailMessages.props}::text`, `%${requestId}%`)))
    .orderBy(desc(emailMessages.createdAt))
    .limit(1);
  return String(await unseal(message?.props.claimUrl)).slice(`${baseUrl}/claim/`.length);
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.message}` : String(e)),
  );

describe("at most two working keys", () => {
  it("a second roll while the rolled key is in its grace period is refused, saying when it can roll again", async () => {
    const { token, user, request } = await approvedRequest();
    const first = await claimKey(t.db, token, user.id, { prefix });
    const opts = { prefix, graceHours: 24, baseUrl };
    const second = await rollKey(t.db, user.id, { requestId: request.id, keyId: first.key.id }, opts);
    const refused = await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: second.key.id }, opts));
    expect(refused).toMatch(/^conflict: The previous key \(ptk_.{4}…\) still works until .+ Roll again after that time/);
    // Nothing changed: still exactly two working keys, the second one still current.
    const keys = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(keys).toHaveLength(2);
    expect(keys.find((k) => k.id === second.key.id)?.endReason).toBeNull();
    expect((await verify(first.plaintext)).status).toBe(200);
    expect((await verify(second.plaintext)).status).toBe(200);
    // Once the grace period is over, rolling works again.
    const in25h = new Date(Date.now() + 25 * 3_600_000);
    const third = await rollKey(t.db, user.id, { requestId: request.id, keyId: second.key.id }, { ...opts, now: in25h });
    expect((await verify(third.plaintext, undefined, in25h)).status).toBe(200);
    expect((await verify(first.plaintext, undefined, in25h)).status).toBe(401);
  });
});
