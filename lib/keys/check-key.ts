import { and, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { accessRequests, apiKeys, apps, users } from "@/db/schema";
import { type Actor, REASONS, can, loadParts } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { requestProductNames } from "@/lib/requests/product-names";
import { NUL_MESSAGE, noNul } from "@/lib/validation";
import { hashSecret, isWellFormedKey } from "./key-format";
import { keyState } from "./key-state";
import { MAX_IMPORTED_KEY_LENGTH } from "./verify-key";

/** A pasted key: trimmed, bounded. Never echoed back in a message. */
export const pastedKeySchema = z
  .string({ error: "Paste the key to check." })
  .trim()
  .min(1, "Paste the key to check.")
  .max(MAX_IMPORTED_KEY_LENGTH, `A key is at most ${MAX_IMPORTED_KEY_LENGTH} characters. Paste only the key.`)
  .refine(noNul, NUL_MESSAGE);

export const checkKeyInput = z.object({
  appId: z.uuid("That app does not exist.").optional(),
  key: pastedKeySchema,
});

/** What Check found out about a key Portico knows and the actor may see. */
export type CheckedKey = {
  state: "current" | "not_yet" | "older_in_grace" | "older_stopped" | "revoked" | "expired" | "checked_in";
  start: string;
  imported: boolean;
  requestId: string;
  planName: string;
  products: string[];
  validFrom: Date;
  expiresAt: Date | null;
  /** Rolled: when the replacement was made, its start, and when the old key stops / stopped. */
  rolledAt: Date | null;
  replacedByStart: string | null;
  endsAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** Only for admins and owners (the keys page): whose key it is. */
  owner?: { appId: string; appName: string; appDeleted: boolean; consumerEmail: string };
};

/**
 * `unknown`: Portico's format, but no key of this app (or none at all) has that hash.
 * `not_portico`: not Portico's format, and no key has that hash (an imported key would be found).
 * For a consumer, another app's key gets exactly the answer an unknown key gets.
 */
export type CheckResult = { found: true; key: CheckedKey } | { found: false; reason: "unknown" | "not_portico" };

const replacement = alias(apiKeys, "replacement");

/**
 * Check a pasted key (issue 16, "Check and Set"). With `appId`, the actor checks against their own
 * app (the app page): only that app's keys are recognised. Without, an admin checks any key, an
 * owner any key on a request for one of their products (the keys page). Read-only, looked up by
 * hash: the key itself is never stored, logged or put in an error.
 */
export async function checkKey(db: Queryable, actor: Actor, input: z.input<typeof checkKeyInput>, opts: { prefix: string; now?: Date }): Promise<CheckResult> {
  if (actor.disabled) throw new DomainError("forbidden", REASONS.disabled);
  const parsed = checkKeyInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("invalid", issue?.message ?? "Paste the key to check.", { [String(issue?.path[0] ?? "key")]: issue?.message ?? "" });
  }
  const { appId, key } = parsed.data;
  const now = opts.now ?? new Date();

  if (appId) {
    const [app] = await db
      .select({ id: apps.id })
      .from(apps)
      .where(and(eq(apps.id, appId), eq(apps.ownerId, actor.id), isNull(apps.deletedAt)));
    if (!app) throw notFound("That app");
  } else if (actor.role !== "admin" && actor.role !== "owner") {
    throw new DomainError("forbidden", "Open one of your apps to check its keys: only admins and owners check keys here.");
  }

  const [row] = await db
    .select({
      id: apiKeys.id,
      appId: apiKeys.appId,
      start: apiKeys.start,
      requestId: apiKeys.requestId,
      requesterId: accessRequests.requesterId,
      plan: accessRequests.plan,
      validFrom: apiKeys.validFrom,
      expiresAt: apiKeys.expiresAt,
      endsAt: apiKeys.endsAt,
      endReason: apiKeys.endReason,
      revokedAt: apiKeys.revokedAt,
      revokedReason: apiKeys.revokedReason,
      importedAt: apiKeys.importedAt,
      rolledAt: replacement.createdAt,
      replacedByStart: replacement.start,
      appName: apps.name,
      appDeleted: apps.deletedAt,
      consumerEmail: users.email,
      products: requestProductNames(),
    })
    .from(apiKeys)
    .innerJoin(accessRequests, eq(accessRequests.id, apiKeys.requestId))
    .innerJoin(apps, eq(apps.id, apiKeys.appId))
    .innerJoin(users, eq(users.id, apps.ownerId))
    .leftJoin(replacement, eq(replacement.id, apiKeys.replacedById))
    .where(eq(apiKeys.keyHash, hashSecret(key)))
    .limit(1);

  const notKnown: CheckResult = { found: false, reason: isWellFormedKey(key, opts.prefix) ? "unknown" : "not_portico" };
  if (!row) return notKnown;
  if (appId) {
    if (row.appId !== appId) return notKnown;
  } else if (actor.role !== "admin") {
    const parts = (await loadParts(db, [row.requestId])).get(row.requestId) ?? [];
    if (!can(actor, "request.see", { requesterId: row.requesterId, parts }).ok) return notKnown;
  }

  const state = keyState(row, now);
  const checked: CheckedKey = {
    state:
      state === "active"
        ? "current"
        : state === "not-yet"
          ? "not_yet"
          : state === "grace"
            ? "older_in_grace"
            : state === "rolled"
              ? "older_stopped"
              : state,
    start: row.start,
    imported: row.importedAt !== null,
    requestId: row.requestId,
    planName: row.plan.name,
    products: row.products,
    validFrom: row.validFrom,
    expiresAt: row.expiresAt,
    rolledAt: row.endReason === "rolled" ? row.rolledAt : null,
    replacedByStart: row.endReason === "rolled" ? row.replacedByStart : null,
    endsAt: row.endsAt,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
  };
  if (!appId) {
    checked.owner = { appId: row.appId, appName: row.appName, appDeleted: row.appDeleted !== null, consumerEmail: row.consumerEmail };
  }
  return { found: true, key: checked };
}
