import { addHours } from "date-fns/addHours";
import { and, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, emailMessages } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, refusal } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { rollKey } from "./key-lifecycle";
import { defaultGraceChoice, graceChoiceSchema } from "./roll-grace";
import { lookupKey, verifyKey } from "./verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const approver = userActor(await f.owner());
const verify = (key: string, now?: Date) => verifyKey({ key }, (hash) => lookupKey(t.sql, hash), { prefix, now });

/** A claimed key whose request's plan snapshot caps the grace at `maxGraceHours` (as a plan edited before the request would). */
async function claimed(maxGraceHours?: number) {
  const r = await approvedRequestFor({ db: t.db, f, approver, baseUrl });
  if (maxGraceHours !== undefined) {
    await t.db
      .update(accessRequests)
      .set({ plan: sql`${accessRequests.plan} || ${JSON.stringify({ maxGraceHours })}::jsonb` })
      .where(eq(accessRequests.id, r.request.id));
  }
  const { plaintext, key } = await claimKey(t.db, r.token, r.user.id, { prefix });
  return { ...r, plaintext, key };
}

const footprint = async (requestId: string, email: string) => {
  const [keys] = await t.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.requestId, requestId));
  const [rolled] = await t.db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "key.rolled"), sql`${auditEvents.data}->>'requestId' = ${requestId}`));
  const [mails] = await t.db.select({ n: count() }).from(emailMessages).where(and(eq(emailMessages.to, email), eq(emailMessages.template, "key-rolled")));
  const working = await t.db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.requestId, requestId), sql`${apiKeys.endReason} is null`));
  return { keys: keys?.n, rolled: rolled?.n, mails: mails?.n, working: working.map((k) => k.id) };
};

describe("the grace chosen when rolling", () => {
  it("7 days on a plan capped at 24 hours is refused with a clear message, and nothing is written", async () => {
    const { request, user, key, plaintext } = await claimed(24);
    const before = await footprint(request.id, user.email);
    const outcome = await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 168, baseUrl }));
    expect(outcome).toBe("invalid: The Standard plan lets a rolled key keep working for at most 24 hours. Choose a shorter grace period and roll again.");
    expect(await footprint(request.id, user.email)).toEqual(before);
    expect(before.working).toEqual([key.id]);
    expect((await verify(plaintext)).status).toBe(200);
    // Within the cap it goes through.
    await rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 24, baseUrl });
    expect((await footprint(request.id, user.email)).rolled).toBe(1);
  });

  it("a request from before the setting is capped at the default, 7 days", async () => {
    const { request, user, key } = await claimed();
    await t.db.update(accessRequests).set({ plan: sql`${accessRequests.plan} - 'maxGraceHours'` }).where(eq(accessRequests.id, request.id));
    expect(await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 169, baseUrl }))).toMatch(/at most 7 days/);
    expect(await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 168, baseUrl }))).toBe("no error");
  });

  it("none: the old key stops at once, the new one works, and the email says so", async () => {
    const { request, user, key, plaintext } = await claimed();
    const now = new Date();
    const rolled = await rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 0, baseUrl, now });
    expect(rolled.oldKeyEndsAt).toEqual(now);
    expect((await verify(plaintext)).status).toBe(401);
    expect((await verify(rolled.plaintext)).status).toBe(200);
    const [old] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(old).toMatchObject({ endReason: "rolled", endsAt: now, replacedById: rolled.key.id });
    const [mail] = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, user.email), eq(emailMessages.template, "key-rolled")));
    expect(mail?.props).toMatchObject({ graceHours: 0 });
    // No key in a grace period is left, so rolling again at once is allowed.
    expect(await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: rolled.key.id }, { prefix, graceHours: 1, baseUrl }))).toBe("no error");
  });

  it("1 hour: the old key verifies until its end, then not", async () => {
    const { request, user, key, plaintext } = await claimed();
    const now = new Date();
    await rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 1, baseUrl, now });
    expect((await verify(plaintext, addHours(now, 0.9))).status).toBe(200);
    expect((await verify(plaintext, addHours(now, 1.1))).status).toBe(401);
  });

  it("the form's choice: only none, 1, 24 or 168 hours; the preselection never exceeds the plan's cap", () => {
    expect(graceChoiceSchema.safeParse("24").data).toBe(24);
    for (const bad of ["48", "-1", "abc", "", undefined]) {
      expect(graceChoiceSchema.safeParse(bad).error?.issues[0]?.message, String(bad)).toBe("Choose how long the current key keeps working: none, 1 hour, 24 hours or 7 days.");
    }
    expect(defaultGraceChoice(24, 168)).toBe(24);
    expect(defaultGraceChoice(24, 12)).toBe(1);
    expect(defaultGraceChoice(24, 0)).toBe(0);
    expect(defaultGraceChoice(48, 720)).toBe(24);
  });
});
