import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/connect";
import { apiAccessKeys, apiIdempotencyKeys, products, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import type { Actor } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { type ApiAccessGrant, type ExpiryChoice, apiKeyName, expiresAtFor, grantsSchema } from "./grants";
import { mintToken, tokenSha256 } from "./tokens";

/** Only admins (people, signed in) see, add, edit or remove API access keys; no key can mint another. */
export function assertManages(actor: Actor) {
  if (actor.kind !== "user" || actor.disabled || actor.role !== "admin") {
    throw new DomainError("forbidden", "Only an admin can manage API access keys.");
  }
}

export const NAME_TAKEN = "An API access key with this name exists (names are unique ignoring case, removed keys included).";

/** Every product id a grant names exists; an unknown one is a field error, not a silent empty scope. */
async function assertProductsExist(db: Queryable, grants: readonly ApiAccessGrant[]) {
  const ids = [...new Set(grants.flatMap((g) => ("products" in g && g.products !== "all" ? g.products : [])))];
  if (ids.length === 0) return;
  const found = await db.select({ id: products.id }).from(products).where(inArray(products.id, ids));
  if (found.length !== ids.length) throw new DomainError("invalid", "A chosen product does not exist any more.", { roles: "A chosen product does not exist any more; choose again." });
}

/**
 * Adds a key: its service user, the row (jti and token SHA-256 only) and the audit event in one
 * transaction. The token is returned to be shown once and is never kept.
 */
export async function createApiAccessKey(
  db: Database,
  actor: Actor,
  input: { name: string; expiry: ExpiryChoice; customDays?: number; roles: ApiAccessGrant[]; issuer: string; now?: Date },
) {
  assertManages(actor);
  const name = apiKeyName.parse(input.name);
  const roles = grantsSchema.parse(input.roles);
  const now = input.now ?? new Date();
  const expiresAt = expiresAtFor(input.expiry, input.customDays, now);
  try {
    return await db.transaction(async (tx) => {
      await assertProductsExist(tx, roles);
      const id = crypto.randomUUID();
      const jti = crypto.randomUUID();
      const [service] = await tx
        .insert(users)
        .values({ name, email: `api-key-${id}@api-keys.invalid`, kind: "service", role: "consumer", emailVerified: null })
        .returning({ id: users.id });
      if (!service) throw new Error("service user insert returned nothing");
      const token = await mintToken(tx, { jti, issuer: input.issuer, expiresAt, now });
      const [key] = await tx
        .insert(apiAccessKeys)
        .values({ id, name, jti, tokenSha256: tokenSha256(token), roles, serviceUserId: service.id, createdById: actor.id, createdAt: now, expiresAt })
        .returning();
      if (!key) throw new Error("api access key insert returned nothing");
      await recordEvent(tx, { actorId: actor.id, action: "api_access_key.created", subjectType: "api_access_key", subjectId: id, data: { name, roles, expiresAt: expiresAt.toISOString() } });
      return { key, token };
    });
  } catch (e) {
    if (isUniqueViolation(e, "api_access_keys_name_key")) throw new DomainError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw e;
  }
}

/** Edit changes the roles and their products only (never the name or the expiry). */
export async function updateApiAccessKey(db: Database, actor: Actor, input: { keyId: string; roles: ApiAccessGrant[] }) {
  assertManages(actor);
  const roles = grantsSchema.parse(input.roles);
  return db.transaction(async (tx) => {
    await assertProductsExist(tx, roles);
    const [before] = await tx.select().from(apiAccessKeys).where(and(eq(apiAccessKeys.id, input.keyId), isNull(apiAccessKeys.removedAt))).for("update");
    if (!before) throw notFound("This API access key");
    const [key] = await tx.update(apiAccessKeys).set({ roles }).where(eq(apiAccessKeys.id, before.id)).returning();
    if (!key) throw notFound("This API access key");
    // Its remembered answers were given under the old roles: a replay must not return what the key
    // may no longer see, so the next call with the same Idempotency-Key runs again under the new ones.
    await tx.delete(apiIdempotencyKeys).where(eq(apiIdempotencyKeys.accessKeyId, before.id));
    await recordEvent(tx, { actorId: actor.id, action: "api_access_key.updated", subjectType: "api_access_key", subjectId: before.id, data: { name: before.name, before: before.roles, after: roles } });
    return key;
  });
}

/**
 * Remove stops the token at its next call: the jti and hash are dropped and the service user is
 * disabled (its earlier approvals stop counting toward a plan's N, as a disabled person's do).
 */
export async function removeApiAccessKey(db: Database, actor: Actor, input: { keyId: string; now?: Date }) {
  assertManages(actor);
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const [key] = await tx
      .update(apiAccessKeys)
      .set({ removedAt: now, removedById: actor.id, jti: null, tokenSha256: null })
      .where(and(eq(apiAccessKeys.id, input.keyId), isNull(apiAccessKeys.removedAt)))
      .returning();
    if (!key) throw notFound("This API access key");
    await tx.update(users).set({ disabledAt: now }).where(eq(users.id, key.serviceUserId));
    await recordEvent(tx, { actorId: actor.id, action: "api_access_key.removed", subjectType: "api_access_key", subjectId: key.id, data: { name: key.name } });
    return key;
  });
}

/** The list at /admin/api-keys (removed keys left out), newest first. */
export async function listApiAccessKeys(db: Queryable, actor: Actor) {
  assertManages(actor);
  return db
    .select({
      id: apiAccessKeys.id,
      name: apiAccessKeys.name,
      roles: apiAccessKeys.roles,
      createdAt: apiAccessKeys.createdAt,
      expiresAt: apiAccessKeys.expiresAt,
      lastUsedAt: apiAccessKeys.lastUsedAt,
      createdBy: sql<string>`coalesce(${users.name}, ${users.email})`,
      serviceUserId: apiAccessKeys.serviceUserId,
    })
    .from(apiAccessKeys)
    .innerJoin(users, eq(users.id, apiAccessKeys.createdById))
    .where(isNull(apiAccessKeys.removedAt))
    .orderBy(desc(apiAccessKeys.createdAt), apiAccessKeys.id);
}

export async function getApiAccessKey(db: Queryable, actor: Actor, keyId: string) {
  assertManages(actor);
  const [key] = await db.select().from(apiAccessKeys).where(eq(apiAccessKeys.id, keyId));
  if (!key) throw notFound("This API access key");
  return key;
}
