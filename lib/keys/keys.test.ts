import { and, count, eq, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, claimLinks, emailMessages } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { requestTimeline } from "@/lib/requests/queries";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, latestClaimToken, refusal } from "@/tests/requests";
import { claimKey, inspectClaimLink } from "./claim-key";
import { hashSecret } from "./key-format";
import { checkInRequest, expireDueKeys, resendClaimLink, revokeRequests, rollKey } from "./key-lifecycle";
import { INVALID_KEY_MESSAGE, type VerifyResult, lookupKey, verifyKey } from "./verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);
const lookup = (hash: string) => lookupKey(t.sql, hash);
const verify = (key: string, product?: string, now?: Date) => verifyKey({ key, product }, lookup, { prefix, now });
/** Expired, revoked, rolled-out or unknown: the caller gets the same 401 body; only the log knows why. */
function expectGeneric401(result: VerifyResult) {
  expect(result.status).toBe(401);
  expect(result.body).toEqual({ valid: false, error: INVALID_KEY_MESSAGE });
  expect(result.reason).toBeTruthy();
}

const approvedRequest = (opts: { startsAt?: Date; durationDays?: number } = {}) => approvedRequestFor({ db: t.db, f, approver, baseUrl }, opts);

const latestToken = (requestId: string) => latestClaimToken(t.db, requestId, baseUrl);

describe("claim links", () => {
  it("stores only the token's hash; the email holds it sealed; GET-style inspection uses nothing", async () => {
    const { user, request, token } = await approvedRequest();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await t.sql`select * from claim_links where request_id = ${request.id}`;
    expect(stored[0]?.token_hash).toBe(hashSecret(token));
    const dump = JSON.stringify(await t.sql`select props, html, text from email_messages`);
    expect(dump).not.toContain(token);
    for (let i = 0; i < 3; i++) expect((await inspectClaimLink(t.db, token, user.id)).state).toBe("ready");
    expect(stored[0]?.used_at).toBeNull();
  });

  it("30 concurrent claims: one key, one key.created event, the rest 'already used'", async () => {
    const { user, request, token } = await approvedRequest();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => claimKey(t.db, token, user.id, { prefix })));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
    expect(reasons).toHaveLength(29);
    expect(reasons.every((m) => m.startsWith("This link has already been used"))).toBe(true);
    const [keys] = await t.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(keys?.n).toBe(1);
    const [events] = await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "key.created"), sql`${auditEvents.data}->>'requestId' = ${request.id}`));
    expect(events?.n).toBe(1);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("available");
    const key = (won[0] as PromiseFulfilledResult<{ plaintext: string }>).value.plaintext;
    expect((await verify(key, "payments")).status).toBe(200);
    const audit = JSON.stringify(await t.sql`select * from audit_events`);
    expect(audit).not.toContain(key);
    expect(audit).not.toContain(token);
  });

  it("10 concurrent re-sends a minute after approval: one new link, one email, one event; the rest are told to wait", async () => {
    const { request, user } = await approvedRequest();
    const later = new Date(Date.now() + 61_000);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => resendClaimLink(t.db, user.id, request.id, baseUrl, later)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(String((r as PromiseRejectedResult).reason)).toMatch(/less than a minute ago/);
    const [links] = await t.db.select({ n: count() }).from(claimLinks).where(eq(claimLinks.requestId, request.id));
    expect(links?.n).toBe(2);
    const [sent] = await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "request.claim_link_sent"), eq(auditEvents.subjectId, request.id)));
    expect(sent?.n).toBe(1);
    // The new link comes in its own email, not a second "Approved" (the submit's "request received" aside).
    const sentToRequester = await t.db
      .select({ template: emailMessages.template, subject: emailMessages.subject })
      .from(emailMessages)
      .where(and(eq(emailMessages.to, user.email), like(sql`${emailMessages.props}::text`, `%${request.id}%`)))
      .orderBy(emailMessages.createdAt);
    const mails = sentToRequester.filter((m) => m.template !== "request-received");
    expect(mails.map((m) => m.template)).toEqual(["approved", "claim-link"]);
    expect(mails[1]?.subject).toMatch(/^Your new link to claim your key: /);
  });

  it("refuses another user's link, a future start, and a superseded link, saying what to do", async () => {
    const { request, token, user } = await approvedRequest();
    const stranger = await f.user();
    expect(await refusal(claimKey(t.db, token, stranger.id, { prefix }))).toMatch(/^forbidden: This claim link was sent to another account/);
    // Right after the approval's link, a re-send is refused (one a minute); a minute on, it goes.
    expect(await refusal(resendClaimLink(t.db, user.id, request.id, baseUrl))).toMatch(/^conflict: A claim link was emailed to you less than a minute ago/);
    expect(await latestToken(request.id)).toBe(token);
    await resendClaimLink(t.db, user.id, request.id, baseUrl, new Date(Date.now() + 61_000));
    const fresh = await latestToken(request.id);
    expect(fresh).not.toBe(token);
    expect(await refusal(claimKey(t.db, token, user.id, { prefix }))).toMatch(/^conflict: A newer claim link replaced this one/);
    expect((await claimKey(t.db, fresh, user.id, { prefix })).plaintext).toMatch(/^ptk_/);
    expect(await refusal(resendClaimLink(t.db, user.id, request.id, baseUrl))).toMatch(/already claimed/);

    const later = new Date(Date.now() + 3 * 86_400_000);
    const future = await approvedRequest({ startsAt: later });
    expect(await refusal(claimKey(t.db, future.token, future.user.id, { prefix }))).toMatch(/^conflict: This access starts on/);
    const { plaintext } = await claimKey(t.db, future.token, future.user.id, { prefix, now: new Date(later.getTime() + 1000) });
    expectGeneric401(await verify(plaintext));
    expect((await verify(plaintext, undefined, new Date(later.getTime() + 2000))).status).toBe(200);
  });

  it("an expired link says so", async () => {
    const { token, user } = await approvedRequest();
    const afterExpiry = new Date(Date.now() + 73 * 3_600_000);
    expect(await refusal(claimKey(t.db, token, user.id, { prefix, now: afterExpiry }))).toMatch(/^conflict: This claim link expired on/);
    expect(await refusal(claimKey(t.db, "x".repeat(43), user.id, { prefix }))).toMatch(/^not_found: This claim link is not valid/);
  });
});

describe("key lifecycle", () => {
  it("roll: new key works at once, the old one until the grace period ends; one roll wins", async () => {
    const { token, user, request } = await approvedRequest();
    const first = await claimKey(t.db, token, user.id, { prefix });
    const rolls = await Promise.allSettled(
      Array.from({ length: 5 }, () => rollKey(t.db, user.id, { requestId: request.id, keyId: first.key.id }, { prefix, graceHours: 24, baseUrl })),
    );
    const rolled = rolls.filter((r) => r.status === "fulfilled");
    expect(rolled).toHaveLength(1);
    const refused = rolls.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
    expect(refused).toEqual(Array(4).fill("This key was already rolled. Reload the page to see the current key."));
    const second = (rolled[0] as PromiseFulfilledResult<{ plaintext: string }>).value.plaintext;
    expect((await verify(first.plaintext)).status).toBe(200);
    expect((await verify(second)).status).toBe(200);
    const in25h = new Date(Date.now() + 25 * 3_600_000);
    expectGeneric401(await verify(first.plaintext, undefined, in25h));
    expect((await verify(second, undefined, in25h)).status).toBe(200);
    const keys = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(keys.map((k) => k.endReason).sort()).toEqual([null, "rolled"]);
  });

  it("check in ends every key of the request at once and completes it", async () => {
    const { token, user, request } = await approvedRequest();
    const first = await claimKey(t.db, token, user.id, { prefix });
    const second = await rollKey(t.db, user.id, { requestId: request.id, keyId: first.key.id }, { prefix, graceHours: 24, baseUrl });
    await checkInRequest(t.db, user.id, request.id);
    expectGeneric401(await verify(first.plaintext));
    expectGeneric401(await verify(second.plaintext));
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("completed");
    // The request's timeline tells the roll too (recorded on the key), in order, once.
    const timeline = (await requestTimeline(t.db, request.id)).map((e) => e.action);
    expect(timeline.slice(-3)).toEqual(["request.available", "key.rolled", "request.completed"]);
  });

  it("revoke stops the key at once, emails the reason, and is refused outside the approver's scope", async () => {
    const { token, user, request } = await approvedRequest();
    const { plaintext } = await claimKey(t.db, token, user.id, { prefix });
    const otherOwner = await f.user("owner");
    expect(await refusal(revokeRequests(t.db, { kind: "user", id: otherOwner.id, role: "owner", disabled: false }, { requestIds: [request.id], reason: "No", baseUrl }))).toMatch(/^not_found/);
    expect((await verify(plaintext)).status).toBe(200);
    expect(await refusal(revokeRequests(t.db, approver, { requestIds: [request.id], reason: "  ", baseUrl }))).toMatch(/^invalid/);
    await revokeRequests(t.db, approver, { requestIds: [request.id], reason: "Card numbers in URLs", baseUrl });
    expectGeneric401(await verify(plaintext));
    const [key] = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    expect(key).toMatchObject({ endReason: "revoked", revokedById: owner.id, revokedReason: "Card numbers in URLs" });
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.template, "revoked"), eq(emailMessages.to, user.email)));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.props.reason).toBe("Card numbers in URLs");
  });

  it("the expiry job expires due keys once and emails the requester", async () => {
    const { token, user, request } = await approvedRequest({ durationDays: 1 });
    const { plaintext } = await claimKey(t.db, token, user.id, { prefix });
    expect(await expireDueKeys(t.db, baseUrl)).toBe(0);
    const in2days = new Date(Date.now() + 2 * 86_400_000);
    expectGeneric401(await verify(plaintext, undefined, in2days));
    const [expired1, expired2] = await Promise.all([expireDueKeys(t.db, baseUrl, in2days), expireDueKeys(t.db, baseUrl, in2days)]);
    expect(expired1 + expired2).toBe(1);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(row?.status).toBe("expired");
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.template, "expired"), eq(emailMessages.to, user.email)));
    expect(mails).toHaveLength(1);
    const [link] = await t.db.select().from(claimLinks).where(eq(claimLinks.requestId, request.id));
    expect(link?.usedAt).not.toBeNull();
  });
});

describe("verify", () => {
  it("answers 200 with identity, 403 for another product, 401 for unknown keys", async () => {
    const { token, user } = await approvedRequest();
    const { plaintext } = await claimKey(t.db, token, user.id, { prefix });
    const ok = await verify(plaintext, "payments");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, products: ["payments"], plan: { name: "Standard" } });
    expect(ok.headers["X-Portico-App-Id"]).toBeTruthy();
    expect((await verify(plaintext, "weather")).status).toBe(403);
    expect((await verify(plaintext, "Not a slug!")).status).toBe(400);
    const other = `ptk_${"A".repeat(43)}`;
    expectGeneric401(await verify(other));
  });
});

describe("last used", () => {
  it("is stamped in one batched UPDATE, not per verify", async () => {
    const { lastUsedRecorder } = await import("./last-used");
    const { token, user } = await approvedRequest();
    const { key } = await claimKey(t.db, token, user.id, { prefix });
    const recorder = lastUsedRecorder(t.sql, 60_000);
    for (let i = 0; i < 100; i++) recorder.mark(key.id);
    const [before] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(before?.lastUsedAt).toBeNull();
    await recorder.flush();
    const [after] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(after?.lastUsedAt).toBeInstanceOf(Date);
  });
});
