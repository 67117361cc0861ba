import { and, count, eq, ilike, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { sessions, type UserRole, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { keysetPage, keysetQuery } from "@/lib/paging/keyset";
import { escapeLike } from "@/lib/sql/escape-like";
import { endAccessOfDisabledUser } from "./end-access-of-disabled-user";

export const USERS_PAGE = 50;
export const USER_STATUSES = ["active", "disabled"] as const;

export type UserListFilters = {
  q?: string;
  role?: UserRole;
  status?: (typeof USER_STATUSES)[number];
  /** The cursor of the last row of the previous page (nextCursor): keyset paging, newest first. */
  after?: string;
  /** The cursor of the first row of the next page (previousCursor): the page before it. */
  before?: string;
};

/** People, newest first, filtered by search, role and status; keyset-paged (lib/paging/keyset.ts). */
export async function listUsers(db: Queryable, opts: UserListFilters) {
  const pattern = opts.q?.trim() ? `%${escapeLike(opts.q.trim())}%` : null;
  const keyset = keysetQuery(users.createdAt, users.id, "desc", opts);
  const where = and(
    eq(users.kind, "person"),
    pattern ? or(ilike(users.email, pattern), ilike(sql`coalesce(${users.name}, '')`, pattern)) : undefined,
    opts.role ? eq(users.role, opts.role) : undefined,
    opts.status === "active" ? isNull(users.disabledAt) : opts.status === "disabled" ? isNotNull(users.disabledAt) : undefined,
    keyset.where,
  );
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      cursorAt: keyset.cursorAt,
      // What "Also revoke their working keys (N)" would stop.
      // users.id spelled with its table: in a select from users alone Drizzle writes a bare "id".
      workingKeys: workingKeysOf(sql`${sql.identifier("users")}.${sql.identifier("id")}`),
      // A confirmed authenticator (a setup in progress is not one): the admin may reset it.
      hasAuthenticator: sql<boolean>`exists (select 1 from second_factors f
        where f.user_id = ${sql.identifier("users")}.${sql.identifier("id")} and f.confirmed_at is not null)`,
    })
    .from(users)
    .where(where)
    .orderBy(...keyset.orderBy)
    .limit(USERS_PAGE + 1);
  return keysetPage(rows, USERS_PAGE, keyset);
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
    // API access keys' service users are managed at /admin/api-keys, never here
    const [target] = await tx.select().from(users).where(and(eq(users.id, input.userId), eq(users.kind, "person"))).for("update");
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

/** How many keys of the person's available requests still work: what disabling them may leave working. */
function workingKeysOf(person: SQL) {
  return sql<number>`(select count(*)::int from api_keys k join access_requests r on r.id = k.request_id
    where r.requester_id = ${person} and r.status = 'available'
      and (k.ends_at is null or k.ends_at > now()) and (k.expires_at is null or k.expires_at > now()))`;
}

/**
 * Disable: the user cannot sign in and every session ends now. Their pending and approved requests
 * are cancelled (nothing can be approved or claimed for them); their working keys are revoked too
 * when `revokeKeys` is set, else they keep working. One summary email (endAccessOfDisabledUser).
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
    // API access keys' service users are managed at /admin/api-keys, never here
    // NO KEY UPDATE, not UPDATE: a claim's FOR SHARE still waits for it, but a decision re-checking a
    // request's foreign key to this person (KEY SHARE) does not wait behind a disable that waits for
    // that decision's request: the two deadlocked (adversarial review, 2026-12-06).
    const [target] = await tx.select().from(users).where(and(eq(users.id, input.userId), eq(users.kind, "person"))).for("no key update");
    if (!target) throw notFound("This user");
    // The keys left working (the same count the users page offers to revoke), also when they were
    // disabled already: what the admin's message and the API's answer say.
    const keptKeys = async () => {
      if (!input.disabled || input.revokeKeys) return 0;
      const [row] = await tx.execute<{ kept: number }>(sql`select ${workingKeysOf(sql`${target.id}`)} as kept`);
      return row?.kept ?? 0;
    };
    const nothing = { cancelledRequests: 0, revokedRequests: 0, revokedKeys: 0 };
    if (Boolean(target.disabledAt) === input.disabled && !(input.disabled && input.revokeKeys)) return { ...nothing, keptKeys: await keptKeys() };
    if (input.disabled && target.role === "admin" && !target.disabledAt) await assertAnotherAdminRemains(tx, target.id);
    await tx
      .update(users)
      .set({ disabledAt: input.disabled ? (target.disabledAt ?? new Date()) : null })
      .where(eq(users.id, target.id));
    let ended = nothing;
    if (input.disabled) {
      await tx.delete(sessions).where(eq(sessions.userId, target.id));
      const r = await endAccessOfDisabledUser(tx, { userId: target.id, actorId, revokeKeys: input.revokeKeys ?? false, portalUrl: baseUrl, now: new Date() });
      ended = { cancelledRequests: r.cancelled, revokedRequests: r.revokedRequests, revokedKeys: r.revokedKeys };
    }
    await recordEvent(tx, {
      actorId,
      action: input.disabled ? "user.disabled" : "user.enabled",
      subjectType: "user",
      subjectId: target.id,
      data: input.disabled ? { ...ended, keysKept: !input.revokeKeys } : {},
    });
    return { ...ended, keptKeys: await keptKeys() };
  });
}

/**
 * Active people per role, and how many of them have no confirmed authenticator: what each second
 * factor policy would send to setup at their next page (Admin → Sign-in policy). One query.
 */
export async function authenticatorCoverage(db: Queryable): Promise<Record<UserRole, { people: number; without: number }>> {
  const rows = await db
    .select({
      role: users.role,
      people: sql<number>`count(*)::int`,
      without: sql<number>`(count(*) filter (where not exists (select 1 from second_factors f
        where f.user_id = ${sql.identifier("users")}.${sql.identifier("id")} and f.confirmed_at is not null)))::int`,
    })
    .from(users)
    .where(and(eq(users.kind, "person"), isNull(users.disabledAt)))
    .groupBy(users.role);
  const out: Record<UserRole, { people: number; without: number }> = {
    consumer: { people: 0, without: 0 },
    owner: { people: 0, without: 0 },
    admin: { people: 0, without: 0 },
  };
  for (const r of rows) out[r.role] = { people: r.people, without: r.without };
  return out;
}
