import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { type CryptoKey, type JWK, exportJWK, generateKeyPair, importJWK } from "jose";
import type { Queryable } from "@/db/connect";
import { portalSigningKeys } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { seal, unseal } from "@/lib/mail/sealed";

/**
 * The portal's token-signing keys (ES256). The first token minted creates one; its private JWK is
 * kept sealed with a key derived from AUTH_SECRET. Rotation (README "API"): `npm run api:rotate-signing-key`
 * adds a new key that signs from then on; tokens signed by the old one keep verifying until it is
 * retired (`-- --retire <kid>`), which stops every token it signed.
 */
export const SIGNING_ALG = "ES256";

type Verifier = { kid: string; key: CryptoKey | Uint8Array };
const verifiers = new Map<string, Promise<Verifier | null>>();

export async function createSigningKey(db: Queryable) {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = crypto.randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const privateJwkSealed = await seal(JSON.stringify(await exportJWK(privateKey)));
  await db.insert(portalSigningKeys).values({ kid, alg: SIGNING_ALG, publicJwk, privateJwkSealed });
  return kid;
}

/** The key that signs new tokens, created on first use (once, even when two processes race). */
export async function currentSigningKey(db: Queryable): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
  const newest = () =>
    db.select().from(portalSigningKeys).where(isNull(portalSigningKeys.retiredAt)).orderBy(desc(portalSigningKeys.createdAt)).limit(1);
  let [row] = await newest();
  if (!row) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('portal_signing_keys'))`);
      const [again] = await tx.select({ kid: portalSigningKeys.kid }).from(portalSigningKeys).where(isNull(portalSigningKeys.retiredAt)).limit(1);
      if (!again) await createSigningKey(tx);
    });
    [row] = await newest();
    if (!row) throw new Error("No portal signing key could be created.");
  }
  const jwk = JSON.parse(String(await unseal(row.privateJwkSealed))) as JWK;
  return { kid: row.kid, key: await importJWK(jwk, SIGNING_ALG) };
}

/** The public key for a token's `kid` (null when unknown or retired), cached per process. */
export function verifierFor(db: Queryable, kid: string): Promise<Verifier | null> {
  let v = verifiers.get(kid);
  if (!v) {
    v = (async () => {
      const [row] = await db.select().from(portalSigningKeys).where(sql`${portalSigningKeys.kid} = ${kid} and ${portalSigningKeys.retiredAt} is null`);
      return row ? { kid, key: await importJWK(row.publicJwk as JWK, SIGNING_ALG) } : null;
    })();
    verifiers.set(kid, v);
    // unknown kids are not remembered (a forged header must not grow the cache)
    v.then((r) => r ?? verifiers.delete(kid), () => verifiers.delete(kid));
  }
  return v;
}

/** Forget cached verifiers (after a retirement in this process; tests). */
export const forgetVerifiers = () => verifiers.clear();

/** Every signing key, oldest first, for the rotation script (no private material). */
export function listSigningKeys(db: Queryable) {
  return db
    .select({ kid: portalSigningKeys.kid, alg: portalSigningKeys.alg, createdAt: portalSigningKeys.createdAt, retiredAt: portalSigningKeys.retiredAt })
    .from(portalSigningKeys)
    .orderBy(asc(portalSigningKeys.createdAt));
}

/**
 * Retires an old signing key: from the next call on, every token it signed is refused (checkToken
 * asks the database, whatever this or another process has cached). The key that signs new tokens
 * cannot be retired before a newer one exists, so a rotation never falls back to an older key.
 */
export async function retireSigningKey(db: Queryable, kid: string, now = new Date()) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('portal_signing_keys'))`);
    const [current] = await tx
      .select({ kid: portalSigningKeys.kid })
      .from(portalSigningKeys)
      .where(isNull(portalSigningKeys.retiredAt))
      .orderBy(desc(portalSigningKeys.createdAt))
      .limit(1);
    if (current?.kid === kid) {
      throw new DomainError("conflict", `Signing key ${kid} signs new tokens; rotate first (npm run api:rotate-signing-key), then retire it.`);
    }
    const [retired] = await tx
      .update(portalSigningKeys)
      .set({ retiredAt: now })
      .where(and(eq(portalSigningKeys.kid, kid), isNull(portalSigningKeys.retiredAt)))
      .returning({ kid: portalSigningKeys.kid });
    if (!retired) throw new DomainError("not_found", `No signing key ${kid} that is not retired already; list them with --list.`);
    verifiers.delete(kid);
    return retired;
  });
}
