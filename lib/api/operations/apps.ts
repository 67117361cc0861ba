import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { apps, users } from "@/db/schema";
import { type ApiKeyActor, assertCan } from "@/lib/auth/permissions";
import { ApiError } from "../api-error";
import { type Cursor, page, pageQuery, pageSchema } from "../cursor";
import { decodeKeyset, searchText } from "../keyset";
import { linkHeader } from "../links";
import { defineOperation, ok } from "../operation";

/** Apps and users are the directory: Portal admin and Portal viewer (`directory.read`). */
export const DIRECTORY = ["portal_admin", "portal_viewer"] as const;

export const appSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    owner: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "App" });

const appId = z.object({ appId: z.guid().meta({ description: "The app's id." }) });

/** Also asked by the domain's permission module, so a change of the role list cannot widen it. */
const assertDirectory = (actor: ApiKeyActor) => assertCan(actor, "directory.read", null);

function selectApps(db: Queryable, where: SQL | undefined) {
  return db
    .select({
      id: apps.id,
      name: apps.name,
      description: apps.description,
      owner: { id: users.id, email: users.email, name: users.name },
      createdAt: apps.createdAt,
      updatedAt: apps.updatedAt,
      // the exact timestamp (microseconds) for the keyset cursor; a Date keeps only milliseconds
      at: sql<string>`${apps.createdAt}::text`,
    })
    .from(apps)
    .innerJoin(users, eq(users.id, apps.ownerId))
    .where(and(isNull(apps.deletedAt), where));
}

export const listApps = defineOperation({
  operationId: "listApps",
  method: "GET",
  path: "/apps",
  tag: "Apps",
  summary: "List apps",
  description: "Consumers' developer apps, newest first (deleted apps are left out).",
  roles: DIRECTORY,
  query: z.object({
    ownerEmail: searchText(320).optional().meta({ description: "Only the apps of the person with this email (ignoring case)." }),
    ...pageQuery,
  }),
  responses: { 200: { description: "A page of apps.", schema: pageSchema(appSchema).meta({ id: "AppPage" }), headers: { Link: "rel=\"next\" page, when there is one." } } },
  handler: async ({ db, actor, query, request }) => {
    assertDirectory(actor);
    const after = decodeKeyset(query.cursor, "time", "text");
    const rows = await selectApps(
      db,
      and(
        query.ownerEmail ? eq(sql`lower(${users.email})`, query.ownerEmail.trim().toLowerCase()) : undefined,
        after ? sql`(${apps.createdAt}, ${apps.id}) < (${after.v}::timestamptz, ${after.id})` : undefined,
      ),
    )
      .orderBy(desc(apps.createdAt), desc(apps.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.at, id: r.id }));
    return ok({ ...result, items: result.items.map(({ at: _at, ...r }) => r) }, linkHeader(request, result.next));
  },
});

export const getAppOperation = defineOperation({
  operationId: "getApp",
  method: "GET",
  path: "/apps/{appId}",
  tag: "Apps",
  summary: "Get an app",
  roles: DIRECTORY,
  params: appId,
  responses: { 200: { description: "The app.", schema: appSchema } },
  handler: async ({ db, actor, params }) => {
    assertDirectory(actor);
    const [row] = await selectApps(db, eq(apps.id, params.appId));
    if (!row) throw new ApiError(404, "No app with this id (or it was deleted).");
    const { at: _at, ...app } = row;
    return ok(app);
  },
});

export const appOperations = [listApps, getAppOperation];
