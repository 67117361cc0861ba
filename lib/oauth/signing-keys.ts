import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import { type CryptoKey, type JWK, exportJWK, generateKeyPair, importJWK } from "jose";
import type { Database, Queryable } from "@/db/connect";
import { oauthSigningKeys } from "@/db/schema";
import { seal, unseal } from "@/lib/mail/sealed";

/** Access tokens are signed with ECDSA P-256 (ES256): short signatures, fast to verify. */
export const SIGNING_ALG = "ES256";
/**
 * How long a retired key stays published: longer than any access token it signed can live (a plan's
 * token lifetime is at most a day, lib/oauth/token.ts MAX_TOKEN_LIFETIME_SECONDS).
 */
export const RETIRED_KEY_PUBLISHED_MS = 24 * 3600 * 1000;

async function newKey(state: "next" | "active", now: Date) {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = crypto.randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const privateJwk = await seal(JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG }));
  return { kid, alg: SIGNING_ALG, privateJwk, publicJwk, state, createdAt: now, activatedAt: state === "active" ? now : null };
}

/** One writer at a time: key creation and rotation take this transaction-scoped lock. */
const lock = (tx: Queryable) => tx.execute(sql`select pg_advisory_xact_lock(hashtext('portico.oauth_signing_keys'))`);

/** Creates the first active key and its successor if there are none (idempotent, race-free). */
export async function ensureSigningKeys(db: Database, now = new Date()) {
  const [active] = await db.select({ kid: oauthSigningKeys.kid }).from(oauthSigningKeys).where(eq(oauthSigningKeys.state, "active"));
  if (active) return;
  await db.transaction(async (tx) => {
    await lock(tx);
    const states = await tx.select({ state: oauthSigningKeys.state }).from(oauthSigningKeys).where(inArray(oauthSigningKeys.state, ["active", "next"]));
    if (!states.some((s) => s.state === "active")) await tx.insert(oauthSigningKeys).values(await newKey("active", now));
    if (!states.some((s) => s.state === "next")) await tx.insert(oauthSigningKeys).values(await newKey("next", now));
  });
}

/**
 * Rotation: the published `next` key becomes the signing key, the old active key is retired (still
 * published for RETIRED_KEY_PUBLISHED_MS, so tokens it signed keep validating) and a new `next` is
 * published. Gateways that cache the JWKS already hold the key that signs after the rotation.
 * Run by `npm run oauth:rotate-keys` (scripts/oauth-rotate-keys.ts). Returns the new active kid.
 */
export async function rotateSigningKeys(db: Database, now = new Date()) {
  await ensureSigningKeys(db, now);
  return db.transaction(async (tx) => {
    await lock(tx);
    const rows = await tx.select().from(oauthSigningKeys).where(inArray(oauthSigningKeys.state, ["active", "next"]));
    const active = rows.find((r) => r.state === "active");
    const next = rows.find((r) => r.state === "next");
    if (!active || !next) throw new Error("signing keys missing during rotation");
    await tx.update(oauthSigningKeys).set({ state: "retired", retiredAt: now }).where(eq(oauthSigningKeys.kid, active.kid));
    await tx.update(oauthSigningKeys).set({ state: "active", activatedAt: now }).where(eq(oauthSigningKeys.kid, next.kid));
    await tx.insert(oauthSigningKeys).values(await newKey("next", now));
    // Long-retired keys go: nothing they signed can still be valid.
    await tx
      .delete(oauthSigningKeys)
      .where(and(eq(oauthSigningKeys.state, "retired"), sql`${oauthSigningKeys.retiredAt} < ${new Date(now.getTime() - RETIRED_KEY_PUBLISHED_MS).toISOString()}`));
    return { active: next.kid, retired: active.kid };
  });
}

/** The published keys (RFC 7517 JWK Set): next, active, and recently retired. Never a private part. */
export async function publishedKeys(db: Queryable, now = new Date()): Promise<{ keys: JWK[] }> {
  const rows = await db
    .select({ publicJwk: oauthSigningKeys.publicJwk })
    .from(oauthSigningKeys)
    .where(
      or(
        inArray(oauthSigningKeys.state, ["active", "next"]),
        gt(oauthSigningKeys.retiredAt, new Date(now.getTime() - RETIRED_KEY_PUBLISHED_MS)),
      ),
    )
    .orderBy(asc(oauthSigningKeys.createdAt));
  return { keys: rows.map((r) => r.publicJwk as JWK) };
}

/** The key tokens are signed with now (created on first use). */
export async function activeSigningKey(db: Database): Promise<{ kid: string; alg: string; key: CryptoKey }> {
  let [row] = await db.select().from(oauthSigningKeys).where(eq(oauthSigningKeys.state, "active"));
  if (!row) {
    await ensureSigningKeys(db);
    [row] = await db.select().from(oauthSigningKeys).where(eq(oauthSigningKeys.state, "active"));
  }
  if (!row) throw new Error("no active signing key");
  const jwk = JSON.parse(String(await unseal(row.privateJwk))) as JWK;
  return { kid: row.kid, alg: row.alg, key: (await importJWK(jwk, row.alg)) as CryptoKey };
}
