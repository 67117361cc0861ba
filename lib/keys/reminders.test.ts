import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { addDays } from "date-fns/addDays";
import { addHours } from "date-fns/addHours";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@/db/connect";
import { type PlanSnapshot, accessRequestProducts, accessRequests, apiKeys, emailMessages, keyReminders, reminderDigests } from "@/db/schema";
import { templates } from "@/emails";
import { render } from "@react-email/render";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { rollKey } from "./key-lifecycle";
import { sendReminderDigests } from "./reminders";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const standard = f.plan("Standard");
const payments = f.product("payments");

/** Noon UTC today: "days left" counts UTC calendar days, so the tests pick a time far from midnight. */
const today = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);

const snapshot = (over: Partial<PlanSnapshot> = {}): PlanSnapshot => ({
  name: standard.name,
  autoApprove: false,
  approvalsRequired: 1,
  keyLifetimeDays: 90,
  claimLinkLifetimeHours: 72,
  rateLimitPerMinute: null,
  quotaPerMonth: null,
  maxGraceHours: 168,
  reminderDays: [30, 7, 1, 0],
  reviewRequired: false,
  requestFields: [],
  ...over,
});

/** An available request of `userId` (an app of its own) whose one working key expires `daysLeft` days after `today`, at 18:00 UTC. */
async function keyExpiringIn(userId: string, daysLeft: number, plan: Partial<PlanSnapshot> = {}) {
  const app = await f.app(userId, `App ${randomBytes(3).toString("hex")}`);
  const [request] = await t.db
    .insert(accessRequests)
    .values({ requesterId: userId, appId: app.id, planId: standard.id, status: "available", reason: "Because", plan: snapshot(plan), decidedAt: today })
    .returning();
  if (!request) throw new Error("request insert");
  await t.db.insert(accessRequestProducts).values({ requestId: request.id, productId: payments.id });
  const [key] = await t.db
    .insert(apiKeys)
    .values({
      keyHash: randomBytes(32).toString("hex"),
      start: `ptk_${randomBytes(2).toString("hex")}`,
      appId: app.id,
      requestId: request.id,
      validFrom: addDays(today, -60),
      expiresAt: addHours(addDays(today, daysLeft), 6),
    })
    .returning();
  if (!key) throw new Error("key insert");
  return { request, key };
}

const digestsTo = (email: string) =>
  t.db.select().from(emailMessages).where(and(eq(emailMessages.to, email), eq(emailMessages.template, "key-reminder-digest"))).orderBy(emailMessages.createdAt);
type DigestProps = Parameters<(typeof templates)["key-reminder-digest"]["render"]>[0];
const listed = (m: { props: Record<string, unknown> }) => (m.props as DigestProps).keys.map((k) => `${k.keyStart} ${k.daysLeft}`);
const remindersOf = (requestIds: string[]) =>
  t.db.select({ requestId: keyReminders.requestId, daysBefore: keyReminders.daysBefore }).from(keyReminders).where(inArray(keyReminders.requestId, requestIds));

describe("reminder digests", () => {
  it("keys due at 30, 7 and 1 days (and 8: its nearest reached is 30): one digest naming each once; again the same day: nothing; next day: only the newly due", async () => {
    const u = await f.user();
    const k30 = await keyExpiringIn(u.id, 30);
    const k7 = await keyExpiringIn(u.id, 7);
    const k1 = await keyExpiringIn(u.id, 1);
    const k8 = await keyExpiringIn(u.id, 8);
    const k40 = await keyExpiringIn(u.id, 40);

    await sendReminderDigests(t.db, baseUrl, today);
    const [digest, ...more] = await digestsTo(u.email);
    expect(more).toEqual([]);
    if (!digest) throw new Error("no digest");
    expect(listed(digest).sort()).toEqual([`${k30.key.start} 30`, `${k8.key.start} 8`, `${k7.key.start} 7`, `${k1.key.start} 1`].sort());
    expect(digest.subject).toBe("Reminder: 4 of your API keys expiring soon");
    const props = digest.props as DigestProps;
    expect(props.keys.find((k) => k.keyStart === k1.key.start)).toMatchObject({
      rollUrl: `${baseUrl}/requests/${k1.request.id}/roll`,
      requestUrl: `${baseUrl}/requests/${k1.request.id}`,
      productNames: [payments.name],
    });
    const text = await render(templates["key-reminder-digest"].render(props), { plainText: true });
    expect(text).toContain(`${baseUrl}/requests/${k7.request.id}/roll`);
    expect(text).toContain("expires tomorrow");

    // Later the same day, and a key newly due today (created after the digest): it waits for tomorrow.
    const k7late = await keyExpiringIn(u.id, 6);
    expect(await sendReminderDigests(t.db, baseUrl, addHours(today, 3))).toEqual({ digests: 0, reminders: 0 });
    expect(await digestsTo(u.email)).toHaveLength(1);

    // Tomorrow: k1 reaches its expiry day (0), k8 its 7-day reminder, k7late its 7 (5 days left); k30 (29 left) and k7 (6 left) were told.
    const tomorrow = addDays(today, 1);
    await sendReminderDigests(t.db, baseUrl, tomorrow);
    const second = (await digestsTo(u.email))[1];
    if (!second) throw new Error("no second digest");
    expect(listed(second).sort()).toEqual([`${k1.key.start} 0`, `${k8.key.start} 7`, `${k7late.key.start} 5`].sort());
    expect(await sendReminderDigests(t.db, baseUrl, addHours(tomorrow, 1))).toEqual({ digests: 0, reminders: 0 });

    const sent = await remindersOf([k30, k7, k1, k8, k40, k7late].map((k) => k.request.id));
    const byRequest = (id: string) => sent.filter((s) => s.requestId === id).map((s) => s.daysBefore).sort((a, b) => a - b);
    expect(byRequest(k30.request.id)).toEqual([30]);
    expect(byRequest(k7.request.id)).toEqual([7]);
    expect(byRequest(k1.request.id)).toEqual([0, 1]);
    expect(byRequest(k8.request.id)).toEqual([7, 30]);
    expect(byRequest(k40.request.id)).toEqual([]);
    // Created 6 days before expiry: only the nearest reminder (7), never 30 after the fact.
    expect(byRequest(k7late.request.id)).toEqual([7]);
  });

  it("follows the request's plan snapshot; an older request without one gets 30/7/1/0; a roll does not remind again", async () => {
    const u = await f.user();
    const custom = await keyExpiringIn(u.id, 3, { reminderDays: [3] });
    const none = await keyExpiringIn(u.id, 1, { reminderDays: [] });
    const older = await keyExpiringIn(u.id, 7);
    await t.db.update(accessRequests).set({ plan: { ...snapshot(), reminderDays: undefined } }).where(eq(accessRequests.id, older.request.id));
    await sendReminderDigests(t.db, baseUrl, today);
    const [digest] = await digestsTo(u.email);
    if (!digest) throw new Error("no digest");
    expect(listed(digest).sort()).toEqual([`${custom.key.start} 3`, `${older.key.start} 7`].sort());
    expect(await remindersOf([none.request.id])).toEqual([]);

    // Rolled the next day: the new key has the same expiry, so the 7-day reminder is not sent again.
    await rollKey(t.db, u.id, { requestId: older.request.id, keyId: older.key.id }, { prefix: "ptk", graceHours: 0, baseUrl });
    await sendReminderDigests(t.db, baseUrl, addDays(today, 1));
    expect(await digestsTo(u.email)).toHaveLength(1);
  });

  it("two workers at once (two connection pools and a second process): each recipient gets one digest, each reminder is sent once", async () => {
    const people = await Promise.all(Array.from({ length: 12 }, () => f.user()));
    const requests: string[] = [];
    for (const p of people) {
      for (const days of [30, 7, 1]) requests.push((await keyExpiringIn(p.id, days)).request.id);
    }
    const second = createDb(t.url, { max: 4 });
    const third = createDb(t.url, { max: 4 });
    const child = spawn(process.execPath, ["--import", "tsx", "tests/reminders-process.ts", t.url, today.toISOString(), baseUrl], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    const ready = new Promise<void>((resolve) => child.stdout.on("data", (b: Buffer) => ((out += b.toString()), out.includes("ready") && resolve())));
    const done = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await ready;
    try {
      child.stdin.end("go\n");
      const here = await Promise.all([sendReminderDigests(t.db, baseUrl, today), sendReminderDigests(second.db, baseUrl, today), sendReminderDigests(third.db, baseUrl, today)]);
      expect(await done).toBe(0);
      const there = JSON.parse(out.split("\n").filter(Boolean).at(-1) ?? "{}") as { digests: number; reminders: number };
      const total = [...here, there].reduce((a, r) => ({ digests: a.digests + r.digests, reminders: a.reminders + r.reminders }), { digests: 0, reminders: 0 });
      expect(total).toEqual({ digests: people.length, reminders: people.length * 3 });
    } finally {
      await Promise.all([second.sql.end({ timeout: 5 }), third.sql.end({ timeout: 5 })]);
    }
    for (const p of people) {
      const mails = await digestsTo(p.email);
      expect(mails).toHaveLength(1);
      expect(listed(mails[0] ?? { props: { keys: [] } })).toHaveLength(3);
    }
    expect(await remindersOf(requests)).toHaveLength(requests.length);
    const ids = people.map((p) => p.id);
    expect(await t.db.select().from(reminderDigests).where(inArray(reminderDigests.recipientId, ids))).toHaveLength(people.length);
  });
});
