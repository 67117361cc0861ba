import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, emailMessages, recoveryCodes, secondFactors, sessions } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { enteredCodeSchema } from "./codes";
import { beginSetup, confirmSetup, removeSecondFactor, resetSecondFactor, secondFactorStatus, verifySecondFactor } from "./factor";
import { readPolicy, setSecondFactorPolicy } from "./policy";
import { readSecondFactorState, stepUpSatisfied } from "./step-up";
import { codeAt, PERIOD_SECONDS } from "./totp";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const at = (base: Date, steps: number) => new Date(base.getTime() + steps * PERIOD_SECONDS * 1000);
const code = (raw: string) => enteredCodeSchema.parse(raw);

/** An owner with a confirmed authenticator and a session; returns the secret to compute codes. */
async function enrolledOwner(now = new Date()) {
  const row = await f.user("owner");
  const person = { id: row.id, email: row.email, name: row.name };
  const sessionToken = `s-${row.id}`;
  await t.db.insert(sessions).values({ sessionToken, userId: row.id, expires: new Date(Date.now() + 86_400_000) });
  const setup = await beginSetup(t.db, person, { now, sessionToken });
  const { recoveryCodes: codes } = await confirmSetup(
    t.db,
    person,
    { firstCode: codeAt(setup.secret, at(now, -1)), secondCode: codeAt(setup.secret, now), sessionToken, baseUrl },
    { now },
  );
  return { row, person, sessionToken, secret: setup.secret, codes };
}

const audits = async (userId: string) =>
  (await t.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.subjectId, userId))).map((r) => r.action);

describe("second factor", () => {
  it("setup: the secret is stored sealed, two successive codes confirm it, ten recovery codes are kept hashed", async () => {
    const { row, secret, codes } = await enrolledOwner();
    const [stored] = await t.db.select().from(secondFactors).where(eq(secondFactors.userId, row.id));
    expect(stored?.secret.startsWith("sealed:")).toBe(true);
    expect(stored?.secret).not.toContain(secret);
    expect(codes).toHaveLength(10);
    const hashes = await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, row.id));
    expect(hashes.map((h) => h.codeHash)).not.toContain(codes[0]);
    expect(await audits(row.id)).toContain("second_factor.set_up");
    expect((await secondFactorStatus(t.db, row.id)).state).toBe("active");
    const [added] = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, row.email), eq(emailMessages.template, "second-factor-changed")));
    expect(added?.props).toMatchObject({ change: "added" });
    expect(JSON.stringify(added)).not.toContain(secret);
  });

  it("setup refuses two codes that are not successive, and lapses after 5 minutes", async () => {
    const row = await f.user("owner");
    const person = { id: row.id, email: row.email, name: row.name };
    const now = new Date();
    const setup = await beginSetup(t.db, person, { now, sessionToken: null });
    const same = codeAt(setup.secret, now);
    await expect(confirmSetup(t.db, person, { firstCode: same, secondCode: same, sessionToken: null, baseUrl }, { now })).rejects.toThrow(/two successive codes/);
    const later = new Date(now.getTime() + 5 * 60_000 + 1);
    await expect(
      confirmSetup(t.db, person, { firstCode: codeAt(setup.secret, later), secondCode: codeAt(setup.secret, at(later, 1)), sessionToken: null, baseUrl }, { now: later }),
    ).rejects.toThrow(/expired/);
    expect((await secondFactorStatus(t.db, row.id, { now: later })).state).toBe("none");
  });

  it("a code is accepted once: its replay is refused and audited; the next step's code works and steps the session up", async () => {
    const now = new Date();
    const { row, person, sessionToken, secret } = await enrolledOwner(now);
    await t.db.update(sessions).set({ steppedUpAt: null }).where(eq(sessions.sessionToken, sessionToken));
    // confirmation used steps -1 and 0: the step-0 code is spent
    const replay = await verifySecondFactor(t.db, person, code(codeAt(secret, now)), { sessionToken, baseUrl }, { now });
    expect(replay).toMatchObject({ ok: false, reason: "replay" });
    expect(await audits(row.id)).toContain("second_factor.replay_refused");
    const next = await verifySecondFactor(t.db, person, code(codeAt(secret, at(now, 1))), { sessionToken, baseUrl }, { now });
    expect(next).toMatchObject({ ok: true, via: "totp" });
    const state = await readSecondFactorState(t.db, { id: row.id, role: "owner" }, sessionToken);
    expect(state.enrolled).toBe(true);
    expect(stepUpSatisfied(state)).toBe(true);
    expect(stepUpSatisfied(state, new Date(Date.now() + 15 * 60_000 + 1000))).toBe(false);
    // the session's step-up counts for that session only
    expect(stepUpSatisfied(await readSecondFactorState(t.db, { id: row.id, role: "owner" }, "another-session"))).toBe(false);
    expect(await audits(row.id)).toContain("second_factor.succeeded_after_failures");
  });

  it("the same code sent twice at once is accepted exactly once (the row lock)", async () => {
    const now = new Date();
    const { person, sessionToken, secret } = await enrolledOwner(now);
    const c = code(codeAt(secret, at(now, 1)));
    const results = await Promise.all(Array.from({ length: 8 }, () => verifySecondFactor(t.db, person, c, { sessionToken, baseUrl }, { now })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("5 wrong codes lock the factor for 5 minutes and email its owner; a right code is refused while locked", async () => {
    const now = new Date();
    const { row, person, sessionToken, secret } = await enrolledOwner(now);
    const wrong = code(codeAt(secret, at(now, 1)) === "000000" ? "111111" : "000000");
    for (let i = 0; i < 4; i++) {
      expect(await verifySecondFactor(t.db, person, wrong, { sessionToken, baseUrl }, { now })).toMatchObject({ reason: "wrong" });
    }
    const fifth = await verifySecondFactor(t.db, person, wrong, { sessionToken, baseUrl }, { now });
    expect(fifth).toMatchObject({ ok: false, reason: "locked" });
    const sixth = await verifySecondFactor(t.db, person, code(codeAt(secret, at(now, 1))), { sessionToken, baseUrl }, { now });
    expect(sixth).toMatchObject({ ok: false, reason: "locked" });
    expect(await audits(row.id)).toContain("second_factor.locked");
    const mails = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, row.email), eq(emailMessages.template, "second-factor-locked")));
    expect(mails).toHaveLength(1);
    expect(JSON.stringify(mails[0])).not.toContain(secret);
    const after = new Date(now.getTime() + 5 * 60_000 + 1000);
    expect(await verifySecondFactor(t.db, person, code(codeAt(secret, after)), { sessionToken, baseUrl }, { now: after })).toMatchObject({ ok: true });
  });

  it("a recovery code works once", async () => {
    const { person, sessionToken, codes } = await enrolledOwner();
    const rc = code(codes[3] ?? "");
    expect(await verifySecondFactor(t.db, person, rc, { sessionToken, baseUrl })).toMatchObject({ ok: true, via: "recovery", recoveryCodesLeft: 9 });
    expect(await verifySecondFactor(t.db, person, rc, { sessionToken, baseUrl })).toMatchObject({ ok: false, reason: "wrong" });
  });

  it("remove needs a code; an admin resets another's (emailed, audited) but not their own", async () => {
    const now = new Date();
    const a = await enrolledOwner(now);
    expect(await removeSecondFactor(t.db, a.person, code("000001"), { baseUrl }, { now })).toMatchObject({ ok: false });
    expect(await removeSecondFactor(t.db, a.person, code(codeAt(a.secret, at(now, 1))), { baseUrl }, { now })).toMatchObject({ ok: true });
    expect((await secondFactorStatus(t.db, a.row.id)).state).toBe("none");
    expect(await audits(a.row.id)).toContain("second_factor.removed");

    const b = await enrolledOwner(now);
    const admin = await f.user("admin");
    await expect(resetSecondFactor(t.db, userActor(a.row), { userId: b.row.id, baseUrl })).rejects.toThrow(/admin/);
    await expect(resetSecondFactor(t.db, userActor(admin), { userId: admin.id, baseUrl })).rejects.toThrow(/your own/);
    await resetSecondFactor(t.db, userActor(admin), { userId: b.row.id, baseUrl });
    expect((await secondFactorStatus(t.db, b.row.id)).state).toBe("none");
    expect(await audits(b.row.id)).toContain("second_factor.reset");
    const [mail] = await t.db.select().from(emailMessages).where(and(eq(emailMessages.to, b.row.email), eq(emailMessages.template, "second-factor-reset")));
    expect(mail).toBeDefined();
  });

  it("policy: admins and owners by default; only admins change it; a covered user without a factor must enrol", async () => {
    expect(await readPolicy(t.db)).toBe("admins_and_owners");
    const owner = await f.user("owner");
    const consumer = await f.user("consumer");
    expect((await readSecondFactorState(t.db, { id: owner.id, role: "owner" }, null)).mustEnrol).toBe(true);
    expect((await readSecondFactorState(t.db, { id: consumer.id, role: "consumer" }, null)).mustEnrol).toBe(false);
    await expect(setSecondFactorPolicy(t.db, userActor(owner), "no_one")).rejects.toThrow(/admin/);
    const admin = await f.user("admin");
    await setSecondFactorPolicy(t.db, userActor(admin), "everyone");
    expect((await readSecondFactorState(t.db, { id: consumer.id, role: "consumer" }, null)).mustEnrol).toBe(true);
    await setSecondFactorPolicy(t.db, userActor(admin), "admins_and_owners");
    const changes = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "security_policy.changed"));
    expect(changes.map((c) => c.data)).toEqual([
      { from: "admins_and_owners", to: "everyone" },
      { from: "everyone", to: "admins_and_owners" },
    ]);
  });

  it("code inputs: empty, letters, 7 digits, huge → a clear message each", () => {
    for (const [input, message] of [
      ["", /Enter the code/],
      ["abcdef", /6-digit code/],
      ["1234567", /6 digits; this one has 7/],
      ["9".repeat(100_000), /6-digit code/],
    ] as const) {
      const r = enteredCodeSchema.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(message);
    }
    expect(enteredCodeSchema.parse(" 123 456 ")).toEqual({ kind: "totp", code: "123456" });
  });
});
