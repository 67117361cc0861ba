import { and, desc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { userRole, users } from "@/db/schema";
import { assertCan } from "@/lib/auth/permissions";
import { escapeLike } from "@/lib/sql/escape-like";
import { changeRole, setDisabled } from "@/lib/users/user-admin";
import { ApiError } from "../api-error";
import { type Cursor, page, pageQuery, pageSchema } from "../cursor";
import { decodeKeyset, searchText } from "../keyset";
import { linkHeader } from "../links";
import { defineOperation, ok } from "../operation";
import { DIRECTORY } from "./apps";

const ADMIN = ["portal_admin"] as const;

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(userRole.enumValues),
    disabled: z.boolean(),
    disabledAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "User", description: "A person with an account (API access keys' service users are not listed)." });

const userId = z.object({ userId: z.guid().meta({ description: "The user's id." }) });

/** People only: an API access key's service user is managed at /admin/api-keys and never shown here. */
function selectPeople(db: Queryable, where: SQL | undefined) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: sql<boolean>`${users.disabledAt} is not null`,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      at: sql<string>`${users.createdAt}::text`,
    })
    .from(users)
    .where(and(eq(users.kind, "person"), where));
}

async function personById(db: Queryable, id: string) {
  const [row] = await selectPeople(db, eq(users.id, id));
  if (!row) throw new ApiError(404, "No user with this id.");
  const { at: _at, ...user } = row;
  return user;
}

export const listUsers = defineOperation({
  operationId: "listUsers",
  method: "GET",
  path: "/users",
  tag: "Users",
  summary: "List users",
  description: "People with an account, newest first, as Admin → Users lists them.",
  roles: DIRECTORY,
  query: z.object({
    q: searchText(200).optional().meta({ description: "Part of the email or name, ignoring case." }),
    role: z.enum(userRole.enumValues).optional(),
    disabled: z.enum(["true", "false"]).optional(),
    ...pageQuery,
  }),
  responses: { 200: { description: "A page of users.", schema: pageSchema(userSchema).meta({ id: "UserPage" }), headers: { Link: "rel=\"next\" page, when there is one." } } },
  handler: async ({ db, actor, query, request }) => {
    assertCan(actor, "directory.read", null);
    const after = decodeKeyset(query.cursor, "time", "text");
    const pattern = query.q?.trim() ? `%${escapeLike(query.q.trim())}%` : null;
    const rows = await selectPeople(
      db,
      and(
        pattern ? or(ilike(users.email, pattern), ilike(sql`coalesce(${users.name}, '')`, pattern)) : undefined,
        query.role ? eq(users.role, query.role) : undefined,
        query.disabled ? sql`(${users.disabledAt} is not null) = ${query.disabled === "true"}` : undefined,
        after ? sql`(${users.createdAt}, ${users.id}) < (${after.v}::timestamptz, ${after.id})` : undefined,
      ),
    )
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.at, id: r.id }));
    return ok({ ...result, items: result.items.map(({ at: _at, ...r }) => r) }, linkHeader(request, result.next));
  },
});

export const getUser = defineOperation({
  operationId: "getUser",
  method: "GET",
  path: "/users/{userId}",
  tag: "Users",
  summary: "Get a user",
  roles: DIRECTORY,
  params: userId,
  responses: { 200: { description: "The user.", schema: userSchema } },
  handler: async ({ db, actor, params }) => {
    assertCan(actor, "directory.read", null);
    return ok(await personById(db, params.userId));
  },
});

export const changeUserRole = defineOperation({
  operationId: "changeUserRole",
  method: "POST",
  path: "/users/{userId}/role",
  tag: "Users",
  summary: "Change a user's role",
  description: "As Admin → Users does. The last active admin cannot be demoted (409).",
  roles: ADMIN,
  params: userId,
  body: z.strictObject({ role: z.enum(userRole.enumValues) }).meta({ id: "UserRoleChange" }),
  responses: { 200: { description: "The user with the new role.", schema: userSchema } },
  handler: async ({ db, actor, params, body }) => {
    await changeRole(db, actor, { userId: params.userId, role: body.role });
    return ok(await personById(db, params.userId));
  },
});

const disabledResult = z
  .object({
    user: userSchema,
    cancelledRequests: z.number().int().meta({ description: "Pending and approved requests of theirs cancelled." }),
    revokedRequests: z.number().int(),
    revokedKeys: z.number().int(),
    keptKeys: z
      .number()
      .int()
      .optional()
      .meta({ description: "Their keys that keep working (revokeKeys not set). Absent from answers stored before 2026-12-06 and replayed for an Idempotency-Key." }),
  })
  .meta({ id: "UserDisabled" });

export const disableUser = defineOperation({
  operationId: "disableUser",
  method: "POST",
  path: "/users/{userId}/disable",
  tag: "Users",
  summary: "Disable a user",
  description:
    "They cannot sign in and their sessions end now; their pending and approved requests are cancelled. Their working keys keep working unless `revokeKeys=true`. One summary email. The last active admin cannot be disabled (409).",
  roles: ADMIN,
  params: userId,
  query: z.object({
    revokeKeys: z.enum(["true", "false"]).optional().meta({ description: "Also revoke their working keys (default false)." }),
  }),
  responses: { 200: { description: "The user, and what ended.", schema: disabledResult } },
  handler: async ({ db, actor, params, query, baseUrl }) => {
    const ended = await setDisabled(db, actor, { userId: params.userId, disabled: true, revokeKeys: query.revokeKeys === "true", baseUrl });
    return ok({ user: await personById(db, params.userId), ...ended });
  },
});

export const enableUser = defineOperation({
  operationId: "enableUser",
  method: "POST",
  path: "/users/{userId}/enable",
  tag: "Users",
  summary: "Enable a user",
  description: "They can sign in again; requests cancelled when they were disabled stay cancelled.",
  roles: ADMIN,
  params: userId,
  responses: { 200: { description: "The user.", schema: userSchema } },
  handler: async ({ db, actor, params, baseUrl }) => {
    await setDisabled(db, actor, { userId: params.userId, disabled: false, baseUrl });
    return ok(await personById(db, params.userId));
  },
});

export const userOperations = [listUsers, getUser, changeUserRole, disableUser, enableUser];
