import { and, asc, count, desc, eq, ilike, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { sessions, type UserRole, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
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

/**
 * People, newest first, filtered by search, role and status. Keyset-paged on (created_at, id): the
 * cursor carries created_at as Postgres prints it (microseconds), so no row is skipped or repeated.
 */
export async function listUsers(db: Queryable, opts: UserListFilters) {
  const pattern = opts.q?.trim() ? `%${escapeLike(opts.q.trim())}%` : null;
  // Backwards (before): the rows just newer than the cursor, read oldest-first, then turned round.
  const back = !opts.after && Boolean(decodeCursor(opts.before));
  const cursor = decodeCursor(opts.after) ?? decodeCursor(opts.before);
  const where = and(
    eq(users.kind, "person"),
    pattern ? or(ilike(users.email, pattern), ilike(sql`coalesce(${users.name}, '')`, pattern)) : undefined,
    opts.role ? eq(users.role, opts.role) : undefined,
    opts.status === "active" ? isNull(users.disabledAt) : opts.status === "disabled" ? isNotNull(users.disabledAt) : undefined,
    cursor
      ? back
        ? sql`(${users.createdAt}, ${users.id}) > (${cursor.at}::timestamptz, ${cursor.id})`
        : sql`(${users.createdAt}, ${users.id}) < (${cursor.at}::timestamptz, ${cursor.id})`
      : undefined,
  );
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      cursorAt: sql<string>`${users.createdAt}::text`,
      // What "Also revoke their working keys (N)" would stop.
      // users.id spelled with its table: in a select from users alone Drizzle writes a bare "id".
      workingKeys: workingKeysOf(sql`${sql.identifier("users")}.${sql.identifier("id")}`),
      // A confirmed authenticator (a setup in progress is not one): the admin may reset it.
      hasAuthenticator: sql<boolean>`exists (select 1 from second_factors f
        where f.user_id = ${sql.identifier("users")}.${sql.identifier("id")} and f.confirmed_at is not null)`,
    })
    .from(users)
    .where(where)
    .orderBy(...(back ? [asc(users.createdAt), asc(users.id)] : [desc(users.createdAt), desc(users.id)]))
    .limit(USERS_PAGE + 1);
  const more = rows.length > USERS_PAGE;
  const kept = rows.slice(0, USERS_PAGE);
  const page = (back ? kept.reverse() : kept).map(({ cursorAt, ...r }) => ({ ...r, cursor: encodeCursor(cursorAt, r.id) }));
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rows: page,
    // Forward: older rows exist when more came back; backward: the page we came from is older.
    nextCursor: (back ? true : more) && last ? last.cursor : undefined,
    // Newer rows exist when we paged forward to here, or when more came back going backward.
    previousCursor: (back ? more : Boolean(cursor)) && first ? first.cursor : undefined,
  };
}

const encodeCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString("base64url");

/** timestamptz as Postgres prints it (DateStyle ISO): "2026-01-01 10:00:00.123456+00". */
const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

/** An unreadable cursor is the first page, never an error. */
function decodeCursor(cursor: string | undefined) {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!at || !id || !PG_TIMESTAMPTZ.test(at)) return null;
  return { at, id };
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
 * factor policy would send to setup at their next page (Admin → Security). One query.
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
