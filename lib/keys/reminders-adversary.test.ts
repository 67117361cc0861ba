import { randomBytes } from "node:crypto";
import { addDays } from "date-fns/addDays";
import { addHours } from "date-fns/addHours";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequestProducts, accessRequests, apiKeys, emailMessages, keyReminders, users } from "@/db/schema";
import { deleteApp } from "@/lib/apps/delete-app";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { sendReminderDigests } from "./reminders";

// Second adversarial review (issue 16): reminders about keys that can no longer work.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const standard = f.plan("Standard");
const today = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);

async function keyExpiringIn(userId: string, daysLeft: number) {
  const app = await f.app(userId, `App ${randomBytes(3).toString("hex")}`);
  const [request] = await t.db
    .insert(accessRequests)
    .values({
      requesterId: userId,
      appId: app.id,
      planId: standard.id,
      status: "available",
      reason: "Because",
      plan: { name: standard.name, autoApprove: false, approvalsRequired: 1, keyLifetimeDays: 90, claimLinkLifetimeHours: 72, rateLimitPerMinute: null, quotaPerMonth: null, reminderDays: [30, 7, 1, 0], reviewRequired: false, requestFields: [] },
    })
    .returning();
  if (!request) throw new Error("request insert");
  await t.db.insert(accessRequestProducts).values({ requestId: request.id, productId: f.product("payments").id });
  await t.db.insert(apiKeys).values({
    keyHash: randomBytes(32).toString("hex"),
    start: `ptk_${randomBytes(2).toString("hex")}`,
    appId: app.id,
    requestId: request.id,
    validFrom: addDays(today, -60),
    expiresAt: addHours(addDays(today, daysLeft), 6),
  });
  return { app, request };
}

describe("reminder digests: a deleted app", () => {
  it("a key of a deleted app (verify refuses it already) is not reminded; the owner's other keys still are", async () => {
    const u = await f.user();
    const gone = await keyExpiringIn(u.id, 7);
    const kept = await keyExpiringIn(u.id, 7);
    await deleteApp(t.db, u.id, gone.app.id);
    await sendReminderDigests(t.db, "http://portal.test", today);
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, u.email), eq(emailMessages.template, "key-reminder-digest")));
    expect(mails).toHaveLength(1);
    const names = (mails[0]?.props as { keys: { appName: string }[] }).keys.map((k) => k.appName);
    expect(names).toEqual([kept.app.name]);
    expect(await t.db.$count(keyReminders, eq(keyReminders.requestId, gone.request.id))).toBe(0);
  });
});

describe("reminder digests: very many keys for one recipient", () => {
  it("11,000 keys due for one consumer (an import can make them) give one digest naming each, and a recipient after them still gets theirs", { timeout: 120_000 }, async () => {
    const tag = randomBytes(3).toString("hex");
    // Recipients are served in id order: the big one first, so a failure there would starve the other.
    const [big, small] = await t.db
      .insert(users)
      .values([
        { id: `00000000-0000-4000-8000-${tag}000000`, email: `big-${tag}@example.com` },
        { id: `ffffffff-ffff-4fff-bfff-${tag}ffffff`, email: `small-${tag}@example.com` },
      ])
      .returning();
    if (!big || !small) throw new Error("users");
    const app = await f.app(big.id, `Big ${tag}`);
    const N = 11_000;
    const plan = { name: standard.name, autoApprove: false, approvalsRequired: 1, keyLifetimeDays: 90, claimLinkLifetimeHours: 72, rateLimitPerMinute: null, quotaPerMonth: null, reminderDays: [30, 7, 1, 0], reviewRequired: false, requestFields: [] };
    for (let i = 0; i < N; i += 1000) {
      const n = Math.min(1000, N - i);
      const requests = await t.db
        .insert(accessRequests)
        .values(Array.from({ length: n }, () => ({ requesterId: big.id, appId: app.id, planId: standard.id, status: "available" as const, reason: "Imported", plan })))
        .returning({ id: accessRequests.id });
      await t.db.insert(accessRequestProducts).values(requests.map((r) => ({ requestId: r.id, productId: f.product("payments").id })));
      await t.db.insert(apiKeys).values(
        requests.map((r) => ({ keyHash: randomBytes(32).toString("hex"), start: "imported", appId: app.id, requestId: r.id, validFrom: addDays(today, -60), expiresAt: addHours(addDays(today, 7), 6) })),
      );
    }
    await keyExpiringIn(small.id, 7);
    const run = await sendReminderDigests(t.db, "http://portal.test", today).catch((e: unknown) => String(e).slice(0, 200));
    expect(run).toMatchObject({ digests: 2, reminders: N + 1 });
    const to = (e: string) => t.db.select().from(emailMessages).where(and(eq(emailMessages.to, e), eq(emailMessages.template, "key-reminder-digest")));
    expect(await to(small.email)).toHaveLength(1);
    const [digest, ...more] = await to(big.email);
    expect(more).toHaveLength(0);
    expect((digest?.props as { keys: unknown[] } | undefined)?.keys).toHaveLength(N);
  });
});
