import { addDays } from "date-fns/addDays";
import { and, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, claimLinks, type UserRole, users } from "@/db/schema";
import { type UserActor, userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, refusal } from "@/tests/requests";
import { claimKey, claimRefusal, inspectClaimLink } from "./claim-key";
import { claimOwnCredential } from "./claim-own-key";
import { hashSecret } from "./key-format";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);

const approvedRequest = (opts: { startsAt?: Date; durationDays?: number } = {}) => approvedRequestFor({ db: t.db, f, approver, baseUrl }, opts);
/** These requests are for API-key products: the claim yields a key (claim-oauth.test.ts has the client). */
async function claimOwnKey(...args: Parameters<typeof claimOwnCredential>) {
  const claimed = await claimOwnCredential(...args);
  if (claimed.kind !== "key") throw new Error(`expected a key, got ${claimed.kind}`);
  return claimed;
}
const actorOf = (u: { id: string; role: UserRole }): UserActor => ({ kind: "user", id: u.id, role: u.role, disabled: false });

/** Everything a claim could write: keys, audit rows, spent links, the request's status. */
async function written(requestId: string) {
  const [row] = await t.sql`select
    (select count(*)::int from api_keys where request_id = ${requestId}) as keys,
    (select count(*)::int from audit_events) as events,
    (select count(*)::int from claim_links where request_id = ${requestId} and used_at is not null) as used_links,
    (select status from access_requests where id = ${requestId}) as status`;
  return row;
}

describe("Generate key (claim by the signed-in requester)", () => {
  it("creates the key once, marks the request available, and spends the emailed link", async () => {
    const { user, request, token } = await approvedRequest();
    const { plaintext, key } = await claimOwnKey(t.db, actorOf(user), { requestId: request.id }, { prefix });
    expect(plaintext.startsWith("ptk_")).toBe(true);
    const [stored] = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(stored?.id).toBe(key.id);
    expect(stored?.keyHash).toBe(hashSecret(plaintext));
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("available");
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "request.available"), eq(auditEvents.subjectId, request.id)));
    expect(event?.actorId).toBe(user.id);
    expect(event?.data).toMatchObject({ via: "request-page" });

    // The email link now says it was used, and where the key's details are.
    const state = await inspectClaimLink(t.db, token, user.id);
    expect(state.state).toBe("used");
    if (state.state !== "used") throw new Error("unreachable");
    expect(claimRefusal(state)).toContain("request page shows the key's details");
    expect(await refusal(claimKey(t.db, token, user.id, { prefix }))).toMatch(/^conflict: This link has already been used/);

    // A second Generate is refused and shows nothing.
    expect(await refusal(claimOwnKey(t.db, actorOf(user), { requestId: request.id }, { prefix }))).toMatch(/^conflict: The key was already generated/);
    const [keys] = await t.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(keys?.n).toBe(1);
  });

  it("two parallel Generates (and an email claim at the same time): exactly one key", async () => {
    for (let round = 0; round < 5; round++) {
      const { user, request, token } = await approvedRequest();
      const results = await Promise.allSettled([
        claimOwnKey(t.db, actorOf(user), { requestId: request.id }, { prefix }),
        claimOwnKey(t.db, actorOf(user), { requestId: request.id }, { prefix }),
        claimOwnKey(t.db, actorOf(user), { requestId: request.id }, { prefix }),
        claimKey(t.db, token, user.id, { prefix }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect((r.reason as Error).name).toBe("DomainError");
      const [keys] = await t.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.requestId, request.id));
      expect(keys?.n).toBe(1);
      const [created] = await t.db
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "key.created"), sql`${auditEvents.data}->>'requestId' = ${request.id}`));
      expect(created?.n).toBe(1);
    }
  });

  it("another consumer, the product's owner and an admin hear 'not found', and nothing is written", async () => {
    const { request } = await approvedRequest();
    const other = await f.user();
    const admin = await f.user("admin");
    const before = await written(request.id);
    for (const actor of [actorOf(other), actorOf(owner), actorOf(admin)]) {
      expect(await refusal(claimOwnKey(t.db, actor, { requestId: request.id }, { prefix }))).toMatch(/^not_found: This request was not found/);
    }
    expect(await written(request.id)).toEqual(before);
  });

  it("refuses a disabled account, a future start, an ended window and a decided request, saying what to do", async () => {
    const disabled = await approvedRequest();
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.user.id));
    expect(await refusal(claimOwnKey(t.db, actorOf(disabled.user), { requestId: disabled.request.id }, { prefix }))).toMatch(/^forbidden: /);
    expect((await written(disabled.request.id))?.keys).toBe(0);

    const later = await approvedRequest({ startsAt: addDays(new Date(), 3) });
    expect(await refusal(claimOwnKey(t.db, actorOf(later.user), { requestId: later.request.id }, { prefix }))).toMatch(/^conflict: This access starts on .*Come back then/);

    const ended = await approvedRequest({ durationDays: 1 });
    const afterWindow = addDays(new Date(), 2);
    expect(await refusal(claimOwnKey(t.db, actorOf(ended.user), { requestId: ended.request.id }, { prefix, now: afterWindow }))).toMatch(
      /^conflict: This access ended on .*request access again/,
    );
    const [row] = await t.db.select({ status: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, ended.request.id));
    expect(row?.status).toBe("expired");

    expect(await refusal(claimOwnKey(t.db, actorOf(ended.user), { requestId: ended.request.id }, { prefix }))).toMatch(/^conflict: This request is already expired/);
    const [links] = await t.db.select({ n: count() }).from(claimLinks).where(and(eq(claimLinks.requestId, ended.request.id), sql`${claimLinks.usedAt} is not null`));
    expect(links?.n).toBe(0);
  });

  it("refuses a request id that is not a uuid before touching the database", async () => {
    const u = await f.user();
    await expect(claimOwnKey(t.db, actorOf(u), { requestId: "nope" }, { prefix })).rejects.toThrow();
  });
});
