import { createHash, timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { SignJWT, decodeProtectedHeader, jwtVerify } from "jose";
import type { Queryable } from "@/db/connect";
import { apiAccessKeys, portalSigningKeys, users } from "@/db/schema";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { isPortalAdmin } from "./grants";
import { SIGNING_ALG, currentSigningKey, verifierFor } from "./signing-keys";

export const tokenSha256 = (token: string) => createHash("sha256").update(token).digest("hex");
export const audienceOf = (issuer: string) => `${issuer}/api/v1`;

/** A signed token for a key: only its jti and SHA-256 are kept (the caller stores them). */
export async function mintToken(db: Queryable, input: { jti: string; issuer: string; expiresAt: Date; now: Date }) {
  const { kid, key } = await currentSigningKey(db);
  return new SignJWT({})
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: "JWT" })
    .setJti(input.jti)
    .setIssuer(input.issuer)
    .setAudience(audienceOf(input.issuer))
    .setIssuedAt(Math.floor(input.now.getTime() / 1000))
    .setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000))
    .sign(key);
}

export type TokenCheck = { ok: true; actor: ApiKeyActor } | { ok: false; reason: string };
const refuse = (reason: string): TokenCheck => ({ ok: false, reason });

/**
 * The database is the authority: a token passes when its signature (by an unretired portal key),
 * issuer, audience and expiry check out and its jti still names a key that is not removed, with the
 * same SHA-256. Roles are read from the database at every call, so an edit counts at the next one.
 */
export async function checkToken(db: Queryable, token: string, opts: { issuer: string; now?: Date }): Promise<TokenCheck> {
  if (token.length > 4096 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return refuse("not a JWT");
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return refuse("unreadable header");
  }
  // the portal's kids are UUIDs: anything else (a NUL byte, an array, SQL) never reaches the database
  if (typeof kid !== "string" || !/^[\w-]{1,100}$/.test(kid)) return refuse("no kid");
  const verifier = await verifierFor(db, kid);
  if (!verifier) return refuse("unknown signing key");
  let jti: string | undefined;
  try {
    const { payload } = await jwtVerify(token, verifier.key, {
      algorithms: [SIGNING_ALG],
      issuer: opts.issuer,
      audience: audienceOf(opts.issuer),
      currentDate: opts.now,
      requiredClaims: ["jti", "exp", "iat"],
    });
    jti = payload.jti;
  } catch {
    return refuse("bad signature, issuer, audience or expiry");
  }
  if (!jti) return refuse("no jti");
  const now = opts.now ?? new Date();
  const [row] = await db
    .select({ key: apiAccessKeys, serviceDisabledAt: users.disabledAt })
    .from(apiAccessKeys)
    .innerJoin(users, eq(users.id, apiAccessKeys.serviceUserId))
    .where(
      and(
        eq(apiAccessKeys.jti, jti),
        isNull(apiAccessKeys.removedAt),
        gt(apiAccessKeys.expiresAt, now),
        // the signing key is still honoured (a retired key's tokens stop here, whatever a process cached)
        sql`exists (select 1 from ${portalSigningKeys} where ${portalSigningKeys.kid} = ${kid} and ${portalSigningKeys.retiredAt} is null)`,
        // a key acts for the admin who added it: it stops while they are disabled or no longer an admin
        sql`exists (select 1 from ${users} c where c.id = ${apiAccessKeys.createdById} and c.disabled_at is null and c.role = 'admin' and c.kind = 'person')`,
      ),
    );
  if (!row || row.serviceDisabledAt) return refuse("removed or expired key");
  const stored = Buffer.from(row.key.tokenSha256 ?? "", "hex");
  const given = Buffer.from(tokenSha256(token), "hex");
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return refuse("token does not match its key");
  const k = row.key;
  // last used, to the minute: at most one write a minute per key
  if (!k.lastUsedAt || now.getTime() - k.lastUsedAt.getTime() > 60_000) {
    await db.update(apiAccessKeys).set({ lastUsedAt: now }).where(and(eq(apiAccessKeys.id, k.id), sql`(${apiAccessKeys.lastUsedAt} is null or ${apiAccessKeys.lastUsedAt} < ${now.toISOString()}::timestamptz - interval '1 minute')`));
  }
  return {
    ok: true,
    actor: { kind: "apiKey", id: k.serviceUserId, keyId: k.id, createdById: k.createdById, name: k.name, grants: k.roles, role: isPortalAdmin(k.roles) ? "admin" : "consumer", disabled: false },
  };
}
