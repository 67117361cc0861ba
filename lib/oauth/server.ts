import { timingSafeEqual } from "node:crypto";
import { type CryptoKey, type JWK, type JWTPayload, SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { Sql } from "postgres";
import { z } from "zod";
import type { Database } from "@/db/connect";
import { databaseUnavailableIn, isUnreachableError } from "@/db/unavailable";
import { BodyTooLargeError, readTextWithin } from "@/lib/http/body-limit";
import { hashSecret } from "@/lib/keys/key-format";
import { oauthEndpoints } from "./endpoints";
import { JTI_CLOCK_MARGIN } from "./purge-used-jtis";
import { CLIENT_ID_PATTERN, type ClientRow, clientRefusal, lookupClient } from "./clients";
import { SIGNING_ALG, activeSigningKey, publishedKeys } from "./signing-keys";

/**
 * Portico as an OAuth 2.0 authorization server for the client-credentials grant (RFC 6749 §4.4):
 * the token endpoint, introspection (RFC 7662), revocation (RFC 7009), the JWKS and the metadata
 * (RFC 8414). Every endpoint answers a refusal with an RFC 6749 §5.2 error and a 4xx, never a 500,
 * and writes nothing on a refusal. JWS and JWK work is `jose`'s.
 */

export const MAX_FORM_BODY = 16 * 1024;
/** Asymmetric algorithms a private_key_jwt assertion may use (never `none`, never HMAC). */
export const ASSERTION_ALGS = ["RS256", "PS256", "ES256", "ES384", "EdDSA"];
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Token requests per client id per minute (per instance). */
export const TOKEN_RATE_PER_MINUTE = 600;

export type OAuthServer = {
  issuer: string;
  tokenEndpoint: string;
  token(request: Request): Promise<Response>;
  introspect(request: Request): Promise<Response>;
  revoke(request: Request): Promise<Response>;
  jwks(): Promise<Response>;
  metadata(): Response;
};

/** RFC 6749 §3.3: scope-token *( SP scope-token ). */
const SCOPE_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "unsupported_token_type"
  | "rate_limited";

class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status = code === "invalid_client" ? 401 : 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

function errorResponse(e: OAuthError, basicUsed: boolean) {
  const headers: Record<string, string> = { ...NO_STORE, ...e.headers };
  // RFC 6749 §5.2: a client that tried HTTP Basic hears the scheme it used.
  if (e.status === 401) headers["WWW-Authenticate"] = basicUsed ? 'Basic realm="portico", charset="UTF-8"' : 'Basic realm="portico"';
  const code = e.code === "rate_limited" ? "invalid_request" : e.code;
  return Response.json({ error: code, error_description: e.description }, { status: e.status, headers });
}

/** The form of a token, introspection or revocation request: each parameter at most once (RFC 6749 §3.2). */
async function readForm(request: Request): Promise<URLSearchParams> {
  if (request.method !== "POST") throw new OAuthError("invalid_request", "Use POST with an application/x-www-form-urlencoded body.", 405, { Allow: "POST" });
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded (RFC 6749 §4.4.2).");
  }
  let text: string;
  try {
    text = await readTextWithin(request.body, MAX_FORM_BODY);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new OAuthError("invalid_request", `The body is over ${MAX_FORM_BODY} bytes.`, 413);
    throw new OAuthError("invalid_request", "The body could not be read.");
  }
  const form = new URLSearchParams(text);
  const seen = new Set<string>();
  for (const name of form.keys()) {
    if (seen.has(name)) throw new OAuthError("invalid_request", `The parameter ${name} appears more than once.`);
    seen.add(name);
  }
  return form;
}

const param = z.string().max(4096).optional();
const authForm = z.object({
  client_id: param,
  client_secret: param,
  client_assertion_type: param,
  client_assertion: z.string().max(8192).optional(),
});

function basicCredentials(header: string | null): { id: string; secret: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic credentials.");
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", "The Basic credentials must be client_id:client_secret.");
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    throw new OAuthError("invalid_client", "The Basic credentials are not form-urlencoded.");
  }
}

/** A driver or server error meaning "cannot reach the database", thrown directly or as a cause. */
function databaseUnreachable(error: unknown) {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    if (isUnreachableError(current) || databaseUnavailableIn(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const sameHash = (a: string, b: string | null) => b !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const UNKNOWN_CLIENT = "Client authentication failed: unknown client, wrong secret or assertion, or the client no longer works. Check the client id and secret shown when you claimed it.";

export function createOAuthServer(deps: { db: Database; sql: Sql; baseUrl: string; now?: () => Date; tokenRatePerMinute?: number }): OAuthServer {
  const ratePerMinute = deps.tokenRatePerMinute ?? TOKEN_RATE_PER_MINUTE;
  const endpoints = oauthEndpoints(deps.baseUrl);
  const { issuer, tokenEndpoint } = endpoints;
  const now = () => deps.now?.() ?? new Date();

  // The signing key in memory for a few seconds: a rotation keeps the old key published, so a token
  // signed with it just after a rotation still validates.
  let signing: { at: number; value: Promise<{ kid: string; alg: string; key: CryptoKey }> } | null = null;
  const signingKey = () => {
    const t = Date.now();
    if (!signing || t - signing.at > 5000) {
      const value = activeSigningKey(deps.db);
      value.catch(() => (signing = null));
      signing = { at: t, value };
    }
    return signing.value;
  };

  const windows = new Map<string, { start: number; count: number }>();
  function rateLimit(id: string) {
    const t = Date.now();
    const minute = Math.floor(t / 60_000) * 60_000;
    if (windows.size > 10_000) windows.clear();
    const w = windows.get(id);
    if (!w || w.start !== minute) {
      windows.set(id, { start: minute, count: 1 });
      return;
    }
    if (++w.count > ratePerMinute) {
      const retry = Math.ceil((minute + 60_000 - t) / 1000);
      throw new OAuthError("rate_limited", `Too many token requests for this client: at most ${ratePerMinute} a minute. Reuse the token until it expires; retry in ${retry} s.`, 429, { "Retry-After": String(retry) });
    }
  }

  /** RFC 6749 §2.3 and RFC 7523 §2.2: exactly one client authentication method. */
  async function authenticate(request: Request, form: URLSearchParams): Promise<{ row: ClientRow; basic: boolean; consume: () => Promise<void> }> {
    const parsed = authForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) throw new OAuthError("invalid_request", "A client parameter is too long.");
    const f = parsed.data;
    const basic = basicCredentials(request.headers.get("authorization"));
    const methods = [basic, f.client_secret !== undefined, f.client_assertion !== undefined].filter(Boolean).length;
    if (methods > 1) throw new OAuthError("invalid_request", "Use exactly one client authentication method (Basic, client_secret or client_assertion).");
    let clientId: string;
    let check: (row: ClientRow) => Promise<boolean>;
    // A private_key_jwt assertion's jti, recorded only once every other check passed (nothing written on a refusal).
    let consume = async () => {};
    if (basic || f.client_secret !== undefined) {
      clientId = basic?.id ?? f.client_id ?? "";
      const secret = basic?.secret ?? f.client_secret ?? "";
      if (basic && f.client_id !== undefined && f.client_id !== basic.id) throw new OAuthError("invalid_request", "client_id differs from the Basic credentials.");
      const h = hashSecret(secret);
      check = async (row) =>
        row.auth_method === "client_secret" &&
        (sameHash(h, row.secret_hash) ||
          (row.previous_secret_ends_at !== null && row.previous_secret_ends_at > now().getTime() && sameHash(h, row.previous_secret_hash)));
    } else if (f.client_assertion !== undefined) {
      if (f.client_assertion_type !== CLIENT_ASSERTION_TYPE) throw new OAuthError("invalid_request", `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`);
      let claims: JWTPayload;
      try {
        claims = decodeJwt(f.client_assertion);
      } catch {
        throw new OAuthError("invalid_client", "client_assertion is not a JWT.");
      }
      clientId = typeof claims.iss === "string" ? claims.iss : "";
      if (f.client_id !== undefined && f.client_id !== clientId) throw new OAuthError("invalid_client", "client_id differs from the assertion's issuer.");
      const assertion = f.client_assertion;
      check = async (row) => {
        if (row.auth_method !== "private_key_jwt" || !row.public_jwk) return false;
        try {
          const key = await importJWK(row.public_jwk as JWK, (row.public_jwk.alg as string | undefined) ?? decodeProtectedHeader(assertion).alg);
          const { payload } = await jwtVerify(assertion, key, {
            algorithms: ASSERTION_ALGS,
            issuer: row.client_id,
            subject: row.client_id,
            audience: [tokenEndpoint, issuer],
            requiredClaims: ["exp", "jti"],
            currentDate: now(),
            maxTokenAge: "10m",
          });
          const jti = String(payload.jti).slice(0, 200);
          // Kept as long as the assertion can be replayed: maxTokenAge bounds it to iat + 10 min whatever
          // its exp says (an exp past Postgres's timestamp range would otherwise make the insert a 500).
          const exp = Math.min(Number(payload.exp), Number(payload.iat) + 600);
          const [seen] = await deps.sql`select 1 from oauth_jtis where kind = 'assertion' and client_id = ${row.client_id} and jti = ${jti}`;
          if (seen) return false;
          // Single use (RFC 7523 §3): of two concurrent uses, the first to record the jti wins.
          consume = async () => {
            // Only while the database's clock, too, finds the assertion unexpired (within the purge's
            // margin): the purge deletes on that clock, so a jti it deleted can never be recorded
            // again, however far behind the database's this app's clock runs.
            const inserted = await deps.sql`insert into oauth_jtis (kind, client_id, jti, expires_at)
              select 'assertion', ${row.client_id}, ${jti}, to_timestamp(${exp})
              where to_timestamp(${exp}) >= now() - ${JTI_CLOCK_MARGIN}::interval
              on conflict do nothing returning jti`;
            if (inserted.length !== 1) throw new OAuthError("invalid_client", UNKNOWN_CLIENT);
          };
          return true;
        } catch {
          return false;
        }
      };
    } else {
      throw new OAuthError("invalid_client", "No client authentication: send HTTP Basic client_id:client_secret, client_secret in the form, or a private_key_jwt client_assertion.");
    }
    if (!CLIENT_ID_PATTERN.test(clientId)) throw new OAuthError("invalid_client", UNKNOWN_CLIENT);
    const [row] = await lookupClient(deps.sql, clientId);
    if (!row || !(await check(row)) || clientRefusal(row, now().getTime()) !== null || row.request_status !== "available") {
      throw new OAuthError("invalid_client", UNKNOWN_CLIENT);
    }
    // Counted only once the client proved who it is: anyone can send a client id (it is not secret),
    // so counting failed attempts would let a stranger lock a client out of its own tokens.
    rateLimit(row.client_id);
    return { row, basic: basic !== null, consume };
  }

  async function guarded(request: Request, fn: (basic: { used: boolean }) => Promise<Response>) {
    const basic = { used: /^Basic\s/i.test(request.headers.get("authorization") ?? "") };
    try {
      return await fn(basic);
    } catch (error) {
      if (error instanceof OAuthError) return errorResponse(error, basic.used);
      // The database away: a 503 the client can retry (as verify answers), never Next's bare 500.
      if (databaseUnreachable(error)) {
        return Response.json(
          { error: "temporarily_unavailable", error_description: "Portico cannot check clients right now; retry shortly." },
          { status: 503, headers: { ...NO_STORE, "Retry-After": "1" } },
        );
      }
      throw error;
    }
  }

  const tokenForm = z.object({ grant_type: z.string().max(200).optional(), scope: z.string().max(2000).optional() });

  async function token(request: Request) {
    return guarded(request, async () => {
      const form = await readForm(request);
      const parsed = tokenForm.safeParse(Object.fromEntries(form));
      if (!parsed.success) throw new OAuthError("invalid_request", "grant_type or scope is too long.");
      const { grant_type: grantType, scope } = parsed.data;
      if (!grantType) throw new OAuthError("invalid_request", "grant_type is missing: send grant_type=client_credentials.");
      if (grantType !== "client_credentials") {
        throw new OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
      }
      const { row, consume } = await authenticate(request, form);
      if (scope !== undefined && scope !== "" && !SCOPE_PATTERN.test(scope)) {
        throw new OAuthError("invalid_scope", "scope must be scope names separated by single spaces (RFC 6749 §3.3).");
      }
      const asked = scope ? scope.split(" ") : [];
      const outside = asked.filter((s) => !row.scopes.includes(s));
      if (outside.length > 0) {
        throw new OAuthError("invalid_scope", `Not in this client's plan: ${outside.join(" ").slice(0, 200)}. It allows: ${row.scopes.join(" ") || "no scopes"}.`);
      }
      await consume();
      const granted = asked.length > 0 ? [...new Set(asked)] : row.scopes;
      const t = now();
      const iat = Math.floor(t.getTime() / 1000);
      const lifetime = Math.max(5, Math.min(row.token_lifetime, 86_400));
      // Never past the client's own end.
      const end = Math.min(row.expires_at ?? Infinity, row.ends_at ?? Infinity);
      const exp = Math.min(iat + lifetime, Number.isFinite(end) ? Math.floor(end / 1000) : Infinity);
      const { kid, key } = await signingKey();
      const accessToken = await new SignJWT({
        client_id: row.client_id,
        scope: granted.join(" "),
        app: { id: row.app_id, name: row.app_name },
        plan: row.plan_name,
        products: row.products,
      })
        .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid })
        .setIssuer(issuer)
        .setSubject(row.client_id)
        .setAudience(row.products.map((slug) => productAudience(issuer, slug)))
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(crypto.randomUUID())
        .sign(key);
      return Response.json(
        { access_token: accessToken, token_type: "Bearer", expires_in: exp - iat, scope: granted.join(" ") },
        { headers: NO_STORE },
      );
    });
  }

  /** Checks one of our access tokens: signature (our keys), typ, iss, exp. Null when not valid. */
  async function checkToken(tokenValue: string): Promise<JWTPayload | null> {
    try {
      const jwks = createLocalJWKSet(await publishedKeys(deps.db));
      const { payload } = await jwtVerify(tokenValue, jwks, { issuer, algorithms: [SIGNING_ALG], typ: "at+jwt", currentDate: now() });
      return payload;
    } catch {
      return null;
    }
  }

  const tokenParam = z.object({ token: z.string().min(1).max(8192), token_type_hint: z.string().max(100).optional() });

  async function introspect(request: Request) {
    return guarded(request, async () => {
      const form = await readForm(request);
      const { row, consume } = await authenticate(request, form);
      const parsed = tokenParam.safeParse(Object.fromEntries(form));
      if (!parsed.success) throw new OAuthError("invalid_request", "token is missing or too long.");
      await consume();
      const payload = await checkToken(parsed.data.token);
      // A client learns only about its own tokens (RFC 7662 §4).
      const active = payload !== null && payload.client_id === row.client_id && !row.revoked_jtis.includes(String(payload.jti));
      const body = active
        ? {
            active: true,
            scope: payload.scope,
            client_id: payload.client_id,
            token_type: "Bearer",
            exp: payload.exp,
            iat: payload.iat,
            sub: payload.sub,
            aud: payload.aud,
            iss: payload.iss,
            jti: payload.jti,
          }
        : { active: false };
      return Response.json(body, { headers: NO_STORE });
    });
  }

  async function revoke(request: Request) {
    return guarded(request, async () => {
      const form = await readForm(request);
      const { row, consume } = await authenticate(request, form);
      const parsed = tokenParam.safeParse(Object.fromEntries(form));
      if (!parsed.success) throw new OAuthError("invalid_request", "token is missing or too long.");
      await consume();
      const payload = await checkToken(parsed.data.token);
      // RFC 7009 §2.2: an invalid or foreign token is answered 200 too; only the client's own is revoked.
      if (payload && payload.client_id === row.client_id && typeof payload.jti === "string" && typeof payload.exp === "number") {
        await deps.sql`insert into oauth_jtis (kind, client_id, jti, expires_at)
          values ('revoked_token', ${row.client_id}, ${payload.jti}, to_timestamp(${payload.exp})) on conflict do nothing`;
      }
      return new Response(null, { status: 200, headers: NO_STORE });
    });
  }

  async function jwks() {
    try {
      return Response.json(await publishedKeys(deps.db), { headers: { "Cache-Control": "public, max-age=300" } });
    } catch (error) {
      if (!databaseUnreachable(error)) throw error;
      return Response.json({ error: "temporarily_unavailable" }, { status: 503, headers: { ...NO_STORE, "Retry-After": "1" } });
    }
  }

  function metadata() {
    return Response.json(
      {
        issuer,
        token_endpoint: tokenEndpoint,
        jwks_uri: endpoints.jwksUri,
        introspection_endpoint: endpoints.introspectionEndpoint,
        revocation_endpoint: endpoints.revocationEndpoint,
        grant_types_supported: ["client_credentials"],
        response_types_supported: [],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
        introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        service_documentation: `${issuer}/docs/oauth`,
      },
      { headers: { "Cache-Control": "public, max-age=300" } },
    );
  }

  return { issuer, tokenEndpoint, token, introspect, revoke, jwks, metadata };
}

/** The audience of a token for a product: what a gateway validating JWTs checks `aud` against. */
export const productAudience = (issuer: string, slug: string) => `${issuer}/apis/${slug}`;
