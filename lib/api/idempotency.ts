import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apiIdempotencyKeys } from "@/db/schema";
import type { ApiResult } from "./operation";
import { problem } from "./problem";

/** How long a key is remembered, and how long an unanswered one counts as in flight. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const IN_FLIGHT_MINUTES = 5;

export const fingerprintOf = (method: string, path: string, body: string) =>
  createHash("sha256").update(`${method} ${path}\n${body}`).digest("hex");

export type Claim = { kind: "run" } | { kind: "answer"; result: ApiResult };

/**
 * Claims an Idempotency-Key for this request. The first claim runs the operation; a later one with
 * the same method, path (with its query string) and body replays its answer; with another request it answers 422; while the
 * first is still running, 409. Keys older than 24 h (or abandoned in flight) are claimed afresh.
 */
export async function claimIdempotencyKey(db: Queryable, accessKeyId: string, key: string, fingerprint: string): Promise<Claim> {
  await db
    .delete(apiIdempotencyKeys)
    .where(
      and(
        eq(apiIdempotencyKeys.accessKeyId, accessKeyId),
        eq(apiIdempotencyKeys.key, key),
        sql`(${apiIdempotencyKeys.createdAt} < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
          or (${apiIdempotencyKeys.responseStatus} is null and ${apiIdempotencyKeys.createdAt} < now() - make_interval(mins => ${IN_FLIGHT_MINUTES})))`,
      ),
    );
  const inserted = await db
    .insert(apiIdempotencyKeys)
    .values({ accessKeyId, key, fingerprint })
    .onConflictDoNothing()
    .returning({ key: apiIdempotencyKeys.key });
  if (inserted.length > 0) return { kind: "run" };
  const [first] = await db
    .select()
    .from(apiIdempotencyKeys)
    .where(and(eq(apiIdempotencyKeys.accessKeyId, accessKeyId), eq(apiIdempotencyKeys.key, key)));
  if (!first) return { kind: "answer", result: problem(409, "A request with this Idempotency-Key is being replaced; try again.") };
  if (first.fingerprint !== fingerprint) {
    return {
      kind: "answer",
      result: problem(422, "This Idempotency-Key was used with another request. Use a new key for a new request.", {
        errors: [{ in: "header", field: "Idempotency-Key", detail: "Already used with a different method, path, query string or body." }],
      }),
    };
  }
  if (first.responseStatus === null) {
    return { kind: "answer", result: problem(409, "A request with this Idempotency-Key is still in progress. Retry once it has answered.") };
  }
  return {
    kind: "answer",
    result: {
      status: first.responseStatus,
      body: first.responseBody === null ? undefined : JSON.parse(first.responseBody),
      headers: { ...(first.responseHeaders ?? {}), "Idempotent-Replayed": "true" },
    },
  };
}

/**
 * Keeps a successful answer for replays (JSON answers only). A refusal or a failure frees the key:
 * it changed nothing, so running the request again is safe, and a refused call writes nothing.
 */
export async function settleIdempotencyKey(db: Queryable, accessKeyId: string, key: string, result: ApiResult | null) {
  const where = and(eq(apiIdempotencyKeys.accessKeyId, accessKeyId), eq(apiIdempotencyKeys.key, key));
  if (!result || result.status >= 300 || result.stream) {
    await db.delete(apiIdempotencyKeys).where(where);
    return;
  }
  await db
    .update(apiIdempotencyKeys)
    .set({ responseStatus: result.status, responseBody: result.body === undefined ? null : JSON.stringify(result.body), responseHeaders: result.headers ?? {} })
    .where(where);
}

/** Forgets keys past their 24 h (the worker's purge task). */
export const purgeIdempotencyKeys = (db: Queryable, now = new Date()) =>
  db.delete(apiIdempotencyKeys).where(lt(apiIdempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3600_000)));
