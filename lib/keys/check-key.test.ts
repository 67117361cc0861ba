import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, apps, auditEvents } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, latestClaimToken, refusal } from "@/tests/requests";
import { checkKey } from "./check-key";
import { claimKey } from "./claim-key";
import { generateKey, hashSecret } from "./key-format";
import { checkInRequest, revokeRequests, rollKey } from "./key-lifecycle";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = await f.owner();
const approver = userActor(owner);
const admin = userActor(await f.user("admin"));

/** A consumer with an app holding a claimed key (payments, Standard plan). */
async function claimed() {
  const { user, request } = await approvedRequestFor({ db: t.db, f, approver, baseUrl });
  const { plaintext, key } = await claimKey(t.db, await latestClaimToken(t.db, request.id, baseUrl), user.id, { prefix });
  return { user, actor: userActor(user), request, appId: request.appId, plaintext, key };
}

const check = (actor: ReturnType<typeof userActor>, key: string, appId?: string) => checkKey(t.db, actor, { appId, key }, { prefix });

describe("checkKey", () => {
  it("owner of the app: current key with its request, products, plan and expiry; surrounding spaces are trimmed", async () => {
    const c = await claimed();
    const r = await check(c.actor, `  ${c.plaintext}\n`, c.appId);
    expect(r.found).toBe(true);
    if (!r.found) return;
    expect(r.key).toMatchObject({ state: "current", requestId: c.request.id, planName: "Standard", start: c.key.start, imported: false });
    expect(r.key.products.length).toBeGreaterThan(0);
    expect(r.key.expiresAt).toEqual(c.key.expiresAt);
    expect(r.key.owner).toBeUndefined();
  });

  it("rolled: older key in grace (rolled when, replaced by which start, until when), then stopped", async () => {
    const c = await claimed();
    const rolled = await rollKey(t.db, c.user.id, { requestId: c.request.id, keyId: c.key.id }, { prefix, graceHours: 24, baseUrl });
    const r = await check(c.actor, c.plaintext, c.appId);
    expect(r.found && r.key).toMatchObject({ state: "older_in_grace", replacedByStart: rolled.key.start, endsAt: rolled.oldKeyEndsAt });
    expect(r.found && r.key.rolledAt).toBeInstanceOf(Date);
    const later = await checkKey(t.db, c.actor, { appId: c.appId, key: c.plaintext }, { prefix, now: new Date(Date.now() + 25 * 3600_000) });
    expect(later.found && later.key.state).toBe("older_stopped");
    const current = await check(c.actor, rolled.plaintext, c.appId);
    expect(current.found && current.key.state).toBe("current");
  });

  it("revoked (when, reason), checked in, expired", async () => {
    const a = await claimed();
    await revokeRequests(t.db, approver, { requestIds: [a.request.id], reason: "Abuse seen", baseUrl });
    const r = await check(a.actor, a.plaintext, a.appId);
    expect(r.found && r.key).toMatchObject({ state: "revoked", revokedReason: "Abuse seen" });
    expect(r.found && r.key.revokedAt).toBeInstanceOf(Date);

    const b = await claimed();
    await checkInRequest(t.db, b.user.id, b.request.id);
    const bAgain = await check(b.actor, b.plaintext, b.appId);
    expect(bAgain.found && bAgain.key.state).toBe("checked_in");

    const e = await claimed();
    await t.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(apiKeys.id, e.key.id));
    const expired = await check(e.actor, e.plaintext, e.appId);
    expect(expired.found && expired.key.state).toBe("expired");
  });

  it("not Portico's: an unknown well-formed key and a malformed string; admins too", async () => {
    const c = await claimed();
    expect(await check(c.actor, generateKey(prefix), c.appId)).toEqual({ found: false, reason: "unknown" });
    expect(await check(c.actor, "sk_live_something-else", c.appId)).toEqual({ found: false, reason: "not_portico" });
    expect(await check(admin, generateKey(prefix))).toEqual({ found: false, reason: "unknown" });
    expect(await check(admin, "x".repeat(512))).toEqual({ found: false, reason: "not_portico" });
  });

  it("another consumer's key on my app's page answers exactly like an unknown key", async () => {
    const mine = await claimed();
    const theirs = await claimed();
    expect(await check(mine.actor, theirs.plaintext, mine.appId)).toEqual(await check(mine.actor, generateKey(prefix), mine.appId));
    // An imported key in another format: same answer as any unknown string of that shape.
    await t.db.update(apiKeys).set({ keyHash: hashSecret("legacy-key-of-theirs-123") }).where(eq(apiKeys.id, theirs.key.id));
    expect(await check(mine.actor, "legacy-key-of-theirs-123", mine.appId)).toEqual({ found: false, reason: "not_portico" });
  });

  it("near miss: my key of my OTHER app, checked on this app's page, is 'not a key of this app'", async () => {
    const c = await claimed();
    const [other] = await t.db.insert(apps).values({ ownerId: c.user.id, name: "Other app" }).returning();
    if (!other) throw new Error("app");
    expect(await check(c.actor, c.plaintext, other.id)).toEqual({ found: false, reason: "unknown" });
  });

  it("another consumer's app id: not found, whatever the key", async () => {
    const mine = await claimed();
    const theirs = await claimed();
    expect(await refusal(check(mine.actor, theirs.plaintext, theirs.appId))).toMatch(/^not_found: That app was not found/);
    expect(await refusal(check(mine.actor, mine.plaintext, theirs.appId))).toMatch(/^not_found/);
  });

  it("admin: any key, and whose it is (app, consumer)", async () => {
    const c = await claimed();
    const r = await check(admin, c.plaintext);
    expect(r.found && r.key).toMatchObject({ state: "current", owner: { appId: c.appId, consumerEmail: c.user.email, appName: "App" } });
  });

  it("owner: keys of their products; a consumer without an app is refused", async () => {
    const c = await claimed();
    const r = await check(approver, c.plaintext);
    expect(r.found && r.key.owner?.consumerEmail).toBe(c.user.email);
    const otherOwner = userActor(await f.user("owner"));
    expect(await check(otherOwner, c.plaintext)).toEqual({ found: false, reason: "unknown" });
    expect(await refusal(check(c.actor, c.plaintext))).toMatch(/^forbidden: Open one of your apps/);
  });

  it("disabled user: refused, even for their own app", async () => {
    const c = await claimed();
    expect(await refusal(check({ ...userActor(c.user), disabled: true } as ReturnType<typeof userActor>, c.plaintext, c.appId))).toMatch(/^forbidden: Your account is disabled/);
    expect(await refusal(check({ ...admin, disabled: true } as ReturnType<typeof userActor>, c.plaintext))).toMatch(/^forbidden/);
  });

  it("bad input: empty, too long, NUL; the key never appears in a message; nothing is written", async () => {
    const c = await claimed();
    const before = await t.db.$count(auditEvents);
    expect(await refusal(check(c.actor, "   ", c.appId))).toMatch(/^invalid: Paste the key/);
    const long = `ptk_${"A".repeat(600)}`;
    const tooLong = await refusal(check(c.actor, long, c.appId));
    expect(tooLong).toMatch(/^invalid: A key is at most 512/);
    expect(tooLong).not.toContain("AAAA");
    expect(await refusal(check(c.actor, "ab\u0000cd", c.appId))).toMatch(/^invalid/);
    expect(await t.db.$count(auditEvents)).toBe(before);
  });
});
