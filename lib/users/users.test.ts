import { and, count, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { secondFactors, sessions, users } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { userActor } from "@/lib/auth/permissions";
import { authenticatorCoverage, changeRole, listUsers, setDisabled } from "./user-admin";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";

const activeAdmins = async () =>
  (await t.db.select({ n: count() }).from(users).where(and(eq(users.role, "admin"), isNull(users.disabledAt))))[0]?.n;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof DomainError ? e.message : String(e)),
  );

describe("users and roles", () => {
  it("twelve admins stepping down at once: exactly one remains, the last one is told why", async () => {
    const [seeded] = await t.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
    const admins = await Promise.all(Array.from({ length: 12 }, () => f.user("admin")));
    await changeRole(t.db, userActor(admins[0] ?? { id: "", role: "admin" }), { userId: seeded?.id ?? "", role: "consumer" });
    expect(await activeAdmins()).toBe(12);
    const results = await Promise.all(admins.map((a) => refusal(changeRole(t.db, userActor(a), { userId: a.id, role: "owner" }))));
    expect(results.filter((r) => r === "ok")).toHaveLength(11);
    expect(results.filter((r) => r.includes("last active admin"))).toHaveLength(1);
    expect(await activeAdmins()).toBe(1);
  });

  it("disabling ends sessions at once, refuses the last admin, and can revoke keys", async () => {
    const user = await f.user();
    await t.db.insert(sessions).values({ sessionToken: `s-${user.id}`, userId: user.id, expires: new Date(Date.now() + 86_400_000) });
    const [admin] = await t.db.select().from(users).where(and(eq(users.role, "admin"), isNull(users.disabledAt)));
    await setDisabled(t.db, userActor(admin ?? { id: "", role: "admin" }), { userId: user.id, disabled: true, baseUrl });
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.disabledAt).toBeInstanceOf(Date);
    await setDisabled(t.db, userActor(admin ?? { id: "", role: "admin" }), { userId: user.id, disabled: false, baseUrl });
    expect((await t.db.select().from(users).where(eq(users.id, user.id)))[0]?.disabledAt).toBeNull();

    if ((await activeAdmins()) === 1) {
      expect(await refusal(setDisabled(t.db, userActor(admin ?? { id: "", role: "admin" }), { userId: admin?.id ?? "", disabled: true, baseUrl }))).toContain("last active admin");
    }
    const { rows } = await listUsers(t.db, { q: user.email.slice(0, 12) });
    expect(rows.map((r) => r.id)).toContain(user.id);
  });

  it("lists who has an authenticator (a setup in progress is none) and counts, per role, the active people without one", async () => {
    const before = await authenticatorCoverage(t.db);
    const withOne = await f.user("owner");
    const pending = await f.user("owner");
    const none = await f.user("owner");
    const disabled = await f.user("owner");
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.id));
    await t.db.insert(secondFactors).values([
      { userId: withOne.id, secret: "sealed:x", confirmedAt: new Date() },
      { userId: pending.id, secret: "sealed:y" },
    ]);
    const { rows } = await listUsers(t.db, {});
    const has = (id: string) => rows.find((r) => r.id === id)?.hasAuthenticator;
    expect([has(withOne.id), has(pending.id), has(none.id)]).toEqual([true, false, false]);
    const after = await authenticatorCoverage(t.db);
    expect(after.owner).toEqual({ people: before.owner.people + 3, without: before.owner.without + 2 });
    expect(after.consumer).toEqual(before.consumer);
  });
});
