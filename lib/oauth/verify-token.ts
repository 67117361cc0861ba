import { type JWK, type JWTVerifyGetKey, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import type { Sql } from "postgres";
import { type ChangeListener, KEY_TABLES } from "@/lib/coherence/changes";
import { type ClientRow, lookupClient } from "./clients";
import { SIGNING_ALG } from "./signing-keys";

/** Three base64url parts starting with a JSON header: `eyJ…`. API keys never look like this. */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const MAX_ACCESS_TOKEN_LENGTH = 4096;
export const looksLikeJwt = (value: unknown): value is string =>
  typeof value === "string" && value.length <= MAX_ACCESS_TOKEN_LENGTH && JWT_SHAPE.test(value);

export type CheckedToken = { clientId: string; jti: string; scope: string; products: string[]; exp: number } | { reason: string };

export type AccessTokenVerifier = {
  /** Signature (our published keys), typ at+jwt, iss, exp, aud: the token itself. */
  check(token: string, now: Date): Promise<CheckedToken>;
  /** The client's current state (cached like keys, emptied by the change notifications). */
  lookup(clientId: string): Promise<readonly ClientRow[]>;
  stop(): void;
};

/**
 * What verify needs to accept Portico's access tokens. The published keys and client rows are kept
 * in memory while the change listener is live and dropped on any change to KEY_TABLES (a revoke, a
 * rotation, a revoked token): so a revoked client's unexpired token is refused at its next call.
 * Without a listener, every call reads the database (as keys do).
 */
export function accessTokenVerifier(sql: Sql, opts: { issuer: string; changes?: ChangeListener }): AccessTokenVerifier {
  const issuer = opts.issuer.replace(/\/+$/, "");
  let keys: { jwks: JWTVerifyGetKey; kids: Set<string>; at: number } | null = null;
  let clients = new Map<string, readonly ClientRow[]>();
  const changes = opts.changes;
  const unsubscribe = changes?.subscribe((change) => {
    if (change === "*" || KEY_TABLES.has(change)) {
      keys = null;
      clients = new Map();
    }
  });
  const cacheable = () => changes?.live() ?? false;

  async function loadKeys() {
    const rows = await sql<{ jwk: JWK }[]>`
      select public_jwk as jwk from oauth_signing_keys
      where state in ('active', 'next') or retired_at > now() - interval '1 day'`;
    const jwks = rows.map((r) => r.jwk);
    return { jwks: createLocalJWKSet({ keys: jwks }), kids: new Set(jwks.map((k) => String(k.kid))), at: Date.now() };
  }

  async function keySet(kid: string | undefined) {
    const stale = !keys || !cacheable() || Date.now() - keys.at > 60_000;
    // An unknown kid may be a key created since: read again, at most once a second.
    const unknownKid = keys && kid !== undefined && !keys.kids.has(kid) && Date.now() - keys.at > 1000;
    if (stale || unknownKid) keys = await loadKeys();
    return (keys as NonNullable<typeof keys>).jwks;
  }

  return {
    async check(token, now) {
      let kid: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== SIGNING_ALG) return { reason: `access token alg ${String(header.alg)} is not ${SIGNING_ALG}` };
        kid = header.kid;
      } catch {
        return { reason: "access token header unreadable" };
      }
      try {
        const { payload } = await jwtVerify(token, await keySet(kid), {
          issuer,
          algorithms: [SIGNING_ALG],
          typ: "at+jwt",
          currentDate: now,
          requiredClaims: ["exp", "jti", "client_id", "aud"],
        });
        const products = Array.isArray(payload.products) ? payload.products.filter((p): p is string => typeof p === "string") : [];
        return {
          clientId: String(payload.client_id),
          jti: String(payload.jti),
          scope: typeof payload.scope === "string" ? payload.scope : "",
          products,
          exp: Number(payload.exp),
        };
      } catch (error) {
        return { reason: `access token refused (${error instanceof Error ? (error as { code?: string }).code ?? error.name : "error"})` };
      }
    },
    async lookup(clientId) {
      if (!cacheable()) return lookupClient(sql, clientId);
      const hit = clients.get(clientId);
      if (hit) return hit;
      const before = changes?.generation();
      const rows = await lookupClient(sql, clientId);
      if (changes?.generation() === before && cacheable() && rows.length > 0) {
        if (clients.size >= 100_000) clients.clear();
        clients.set(clientId, rows);
      }
      return rows;
    },
    stop: () => unsubscribe?.(),
  };
}
