import { addDays } from "date-fns/addDays";
import type { Tx } from "@/db/connect";
import { apiKeys } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { generateKey, hashSecret, keyStart } from "./key-format";

export type KeyRequest = { id: string; appId: string; startsAt: Date; durationDays: number | null };

/**
 * Creates a key for a request and returns the plaintext, which exists only in this return value:
 * the database gets its hash and start, the audit event names the key by id and start.
 */
export async function issueKey(
  tx: Tx,
  request: KeyRequest,
  opts: { prefix: string; actorId: string; now: Date; validFrom?: Date; expiresAt?: Date | null; action?: string },
) {
  const plaintext = generateKey(opts.prefix);
  const validFrom = opts.validFrom ?? request.startsAt;
  const expiresAt =
    opts.expiresAt !== undefined ? opts.expiresAt : request.durationDays === null ? null : addDays(request.startsAt, request.durationDays);
  const [key] = await tx
    .insert(apiKeys)
    .values({
      keyHash: hashSecret(plaintext),
      start: keyStart(plaintext),
      appId: request.appId,
      requestId: request.id,
      createdAt: opts.now,
      validFrom,
      expiresAt,
    })
    .returning();
  if (!key) throw new Error("api_keys insert returned no row");
  await recordEvent(tx, {
    actorId: opts.actorId,
    action: opts.action ?? "key.created",
    subjectType: "key",
    subjectId: key.id,
    data: { requestId: request.id, appId: request.appId, start: key.start, expiresAt: expiresAt?.toISOString() ?? null },
  });
  return { plaintext, key };
}
