import { type SQL, and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { accessRequests, apiKeys, apps, keyEndReason, requestStatus } from "@/db/schema";
import type { Queryable } from "@/db/connect";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { requestsVisibleTo } from "@/lib/auth/permissions";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import type { KeyState } from "@/lib/keys/key-state";
import { noNul } from "@/lib/validation";
import { ApiError } from "../api-error";
import { type Cursor, decodeCursor, page, pageQuery, pageSchema } from "../cursor";
import { linkHeader } from "../links";
import { beforeCursor, cursorTime } from "../time-cursor";
import { defineOperation, ok } from "../operation";
import { assertMayDecide } from "./access-requests";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
const TAG = "Keys";
const KEY_STATES = ["active", "not-yet", "grace", "rolled", "revoked", "checked_in", "expired"] as const satisfies readonly KeyState[];

export const keySchema = z
  .object({
    id: z.string(),
    start: z.string().meta({ description: "The key's first characters (`ptk_AbCd`), to recognise it. The secret itself is never stored or shown." }),
    status: z.enum(KEY_STATES).meta({ description: "active, not-yet (its access starts later), grace (rolled, still working), rolled, revoked, checked_in, expired." }),
    request: z.object({ id: z.string(), status: z.enum(requestStatus.enumValues) }),
    app: z.object({ id: z.string(), name: z.string() }),
    createdAt: z.iso.datetime(),
    validFrom: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable().meta({ description: "null: never expires." }),
    endsAt: z.iso.datetime().nullable().meta({ description: "When a roll, revoke or check-in stopped (or will stop) it." }),
    endReason: z.enum(keyEndReason.enumValues).nullable(),
    revokedAt: z.iso.datetime().nullable(),
    revokedReason: z.string().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
    replacedById: z.string().nullable().meta({ description: "The key that replaced it when it was rolled." }),
  })
  .meta({ id: "Key" });

/** keyState (lib/keys/key-state.ts) in SQL, so lists can filter on it. */
const keyStatus = sql<KeyState>`case
  when ${apiKeys.endReason} = 'rolled' and ${apiKeys.endsAt} > now() then 'grace'
  when ${apiKeys.endReason} is not null then ${apiKeys.endReason}::text
  when ${apiKeys.expiresAt} <= now() then 'expired'
  when ${apiKeys.validFrom} > now() then 'not-yet'
  else 'active' end`;

/** Keys as the API shows them: never the hash. Scoped to the requests the key sees. */
function selectKeys(db: Queryable, actor: ApiKeyActor, where: (SQL | undefined)[]) {
  return db
    .select({
      id: apiKeys.id,
      start: apiKeys.start,
      status: keyStatus,
      request: { id: accessRequests.id, status: accessRequests.status },
      app: { id: apps.id, name: apps.name },
      createdAt: apiKeys.createdAt,
      validFrom: apiKeys.validFrom,
      expiresAt: apiKeys.expiresAt,
      endsAt: apiKeys.endsAt,
      endReason: apiKeys.endReason,
      revokedAt: apiKeys.revokedAt,
      revokedReason: apiKeys.revokedReason,
      lastUsedAt: apiKeys.lastUsedAt,
      replacedById: apiKeys.replacedById,
      createdKey: cursorTime(apiKeys.createdAt),
    })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .where(and(requestsVisibleTo(actor), ...where));
}

const NO_SUCH_KEY = "No key with this id in this key's scope.";

async function keyFor(db: Queryable, actor: ApiKeyActor, id: string) {
  const [row] = await selectKeys(db, actor, [eq(apiKeys.id, id)]);
  if (!row) throw new ApiError(404, NO_SUCH_KEY);
  const { createdKey: _k, ...key } = row;
  return key;
}

const keyId = z.object({ keyId: z.guid().meta({ description: "The key's id." }) });

export const listKeys = defineOperation({
  operationId: "listKeys",
  method: "GET",
  path: "/keys",
  tag: TAG,
  summary: "List keys",
  description: "Consumers' API keys, newest first: never the secret, only its start. Product viewers and approvers see the keys of requests that include one of their products.",
  roles: READ,
  query: z.object({
    requestId: z.guid().optional(),
    appId: z.guid().optional(),
    status: z.enum(KEY_STATES).optional(),
    ...pageQuery,
  }),
  responses: { 200: { description: "A page of keys.", schema: pageSchema(keySchema).meta({ id: "KeyPage" }), headers: { Link: "rel=\"next\" page, when there is one." } } },
  handler: async ({ db, actor, query, request }) => {
    const after = beforeCursor(decodeCursor(query.cursor), apiKeys.createdAt, apiKeys.id);
    const rows = await selectKeys(db, actor, [
      query.requestId ? eq(apiKeys.requestId, query.requestId) : undefined,
      query.appId ? eq(apiKeys.appId, query.appId) : undefined,
      query.status ? sql`${keyStatus} = ${query.status}` : undefined,
      after,
    ])
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.createdKey, id: r.id }));
    return ok({ items: result.items.map(({ createdKey: _k, ...k }) => k), next: result.next }, linkHeader(request, result.next));
  },
});

export const getKey = defineOperation({
  operationId: "getKey",
  method: "GET",
  path: "/keys/{keyId}",
  tag: TAG,
  summary: "Get a key",
  roles: READ,
  params: keyId,
  responses: { 200: { description: "The key (never its secret).", schema: keySchema } },
  handler: async ({ db, actor, params }) => ok(await keyFor(db, actor, params.keyId)),
});

export const revokeKey = defineOperation({
  operationId: "revokeKey",
  method: "POST",
  path: "/keys/{keyId}/revoke",
  tag: TAG,
  summary: "Revoke a key",
  description:
    "Revokes the access the key belongs to, exactly as revoking its request: this API key's products of that request stop verifying at once and the consumer is emailed the reason. A Portal admin (or an approver of every product of the request) revokes the whole request, so every key of it stops; an approver of some of its products revokes those, and the key keeps working for the others until their approvers revoke them. 409 for a key that already stopped working.",
  roles: ["portal_admin", "product_approver"],
  params: keyId,
  body: z
    .object({ reason: z.string().trim().min(1, "Say why the key is revoked: the consumer is told.").max(2000, "Keep the reason under 2,000 characters.").refine(noNul, "Remove the invisible control characters.") })
    .meta({ id: "KeyRevocation" }),
  responses: { 200: { description: "The key after the revocation.", schema: keySchema } },
  handler: async ({ db, actor, params, body, baseUrl }) => {
    // Found without the key's scope, so an approver outside it hears which role it lacks (403), not 404.
    const [found] = await db.select({ requestId: apiKeys.requestId, status: keyStatus }).from(apiKeys).where(eq(apiKeys.id, params.keyId));
    // an unknown key and one of a request this key cannot see: the same 404 as getKey's
    if (!found) throw new ApiError(404, NO_SUCH_KEY);
    await assertMayDecide(db, actor, found.requestId).catch((e: unknown) => {
      throw e instanceof ApiError && e.status === 404 ? new ApiError(404, NO_SUCH_KEY) : e;
    });
    if (found.status !== "active" && found.status !== "not-yet" && found.status !== "grace") {
      throw new ApiError(409, `This key already stopped working (${found.status.replace("_", " ")}); nothing was changed.`);
    }
    await revokeRequests(db, actor, { requestIds: [found.requestId], reason: body.reason, baseUrl });
    return ok(await keyFor(db, actor, params.keyId));
  },
});

export const keyOperations = [listKeys, getKey, revokeKey];
