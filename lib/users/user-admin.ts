import { and, count, desc, eq, ilike, isNull, ne, or, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { sessions, type UserRole, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { revokeKeysOfUser } from "@/lib/keys/key-lifecycle";
import { escapeLike } from "@/lib/sql/escape-like";

export const USERS_PAGE = 50;

export async function listUsers(db: Queryable, opts: { q?: string; page: number }) {
  const pattern = opts.q?.trim() ? `%${escapeLike(opts.q.trim())}%` : null;
  const where = pattern ? or(ilike(users.email, pattern), ilike(sql`coalesce(${users.name}, '')`, pattern)) : undefined;
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt, createdAt: users.createdAt })
    .from(users)
    .where(where)
    .orderBy(desc(users.createdAt), users.id)
    .limit(USERS_PAGE + 1)
    .offset((opts.page - 1) * USERS_PAGE);
  return { rows: rows.slice(0, USERS_PAGE), hasMore: rows.length > USERS_PAGE };
}

/**
 * Serialises every change that could leave Portico without an active admin, then counts the others.
 * Without the lock two admins demoting each other at once would both see one other admin and pass.
 */
async function assertAnotherAdminRemains(tx: Tx, userId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('portico:admins'))`);
  const [others] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, userId)));
  if ((others?.n ?? 0) === 0) {
    throw new DomainError("conflict", "This is the last active admin. Make someone else an admin first.");
  }
}

export async function changeRole(db: Database, actor: Actor, input: { userId: string; role: UserRole }) {
  assertCan(actor, "user.admin", null);
  const actorId = actor.id;
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, input.userId)).for("update");
    if (!target) throw notFound("This user");
    if (target.role === input.role) return target;
    if (target.role === "admin") await assertAnotherAdminRemains(tx, target.id);
    const [updated] = await tx.update(users).set({ role: input.role }).where(eq(users.id, target.id)).returning();
    await recordEvent(tx, {
      actorId,
      action: "user.role_changed",
      subjectType: "user",
      subjectId: target.id,
      data: { from: target.role, to: input.role },
    });
    return updated;
  });
}

/**
 * Disable: the user cannot sign in and every session ends now. Their keys keep working unless
 * `revokeKeys` is set, which revokes each of their approved or available requests (emailed).
 */
export async function setDisabled(
  db: Database,
  actor: Actor,
  input: { userId: string; disabled: boolean; revokeKeys?: boolean; baseUrl: string },
) {
  assertCan(actor, "user.admin", null);
  const { id: actorId } = actor;
  const { baseUrl } = input;
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, input.userId)).for("update");
    if (!target) throw notFound("This user");
    if (Boolean(target.disabledAt) === input.disabled && !(input.disabled && input.revokeKeys)) return { revokedKeys: 0 };
    if (input.disabled && target.role === "admin" && !target.disabledAt) await assertAnotherAdminRemains(tx, target.id);
    await tx
      .update(users)
      .set({ disabledAt: input.disabled ? (target.disabledAt ?? new Date()) : null })
      .where(eq(users.id, target.id));
    let revokedKeys = 0;
    if (input.disabled) {
      await tx.delete(sessions).where(eq(sessions.userId, target.id));
      if (input.revokeKeys) revokedKeys = await revokeKeysOfUser(tx, target.id, actorId, "The account was disabled by an administrator.", baseUrl);
    }
    await recordEvent(tx, {
      actorId,
      action: input.disabled ? "user.disabled" : "user.enabled",
      subjectType: "user",
      subjectId: target.id,
      data: input.disabled ? { revokedKeys } : {},
    });
    return { revokedKeys };
  });
}
