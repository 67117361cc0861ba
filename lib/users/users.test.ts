import { and, count, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessions, users } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { userActor } from "@/lib/auth/permissions";
import { changeRole, listUsers, setDisabled } from "./user-admin";

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
    const { rows } = await listUsers(t.db, { q: user.email.slice(0, 12), page: 1 });
    expect(rows.map((r) => r.id)).toContain(user.id);
  });
});
