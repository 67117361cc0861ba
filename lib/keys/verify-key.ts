import type { Sql } from "postgres";
import { z } from "zod";
import type { UsageOutcome } from "@/db/schema";
import type { Decision, UsageLimiter, WindowState } from "@/lib/usage/limiter";
import { type AccessTokenVerifier, looksLikeJwt } from "@/lib/oauth/verify-token";
import { hashSecret, isWellFormedKey } from "./key-format";

/**
 * One row per key: everything verify answers with, in one indexed lookup (api_keys_key_hash_key).
 * `products` leaves out archived products: archiving a product stops its keys working for it.
 */
export type KeyRow = {
  id: string;
  // The access request: its keys share its limits, so a roll does not reset them.
  request_id: string;
  app_id: string;
  app_name: string;
  app_deleted: boolean;
  // Epoch milliseconds: drizzle's postgres.js client hands timestamps back as strings.
  valid_from: number;
  expires_at: number | null;
  ends_at: number | null;
  plan_name: string;
  rate_limit: number | null;
  quota: number | null;
  // false: the gateway enforces the plan's limits; verify counts and reports them only.
  enforce: boolean;
  products: string[];
};

/** The verify query. The bench's plain node:http server runs this same function. */
export function lookupKey(sql: Sql, keyHash: string) {
  return sql<KeyRow[]>`
    select k.id, k.request_id, k.app_id, a.name as app_name, a.deleted_at is not null as app_deleted,
      extract(epoch from k.valid_from)::float8 * 1000 as valid_from,
      extract(epoch from k.expires_at)::float8 * 1000 as expires_at,
      extract(epoch from k.ends_at)::float8 * 1000 as ends_at,
      r.plan->>'name' as plan_name,
      (r.plan->>'rateLimitPerMinute')::int as rate_limit,
      (r.plan->>'quotaPerMonth')::int as quota,
      coalesce((r.plan->>'enforceLimits')::boolean, true) as enforce,
      array(select p.slug from access_request_products arp join products p on p.id = arp.product_id
            where arp.request_id = r.id and arp.revoked_at is null and p.status <> 'archived' order by p.slug) as products
    from api_keys k
    join apps a on a.id = k.app_id
    join access_requests r on r.id = k.request_id
    where k.key_hash = ${keyHash}`;
}

export type VerifyInput = { key: unknown; product?: string | null };
/** `reason` says why a key was refused, for the server log only: every 401 body is the same. */
export type VerifyResult = { status: 200 | 400 | 401 | 403 | 429; body: Record<string, unknown>; headers: Record<string, string>; reason?: string };

const PRODUCT_SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
export const productSlug = z.string().regex(PRODUCT_SLUG, "product must be a product slug such as payments-api");

/**
 * The one 401 body: a caller learns nothing about which keys exist, expired or were revoked
 * (ASVS: generic authentication failures). The reason goes to the server log.
 */
export const INVALID_KEY_MESSAGE =
  "No valid API key. Send a current key as `Authorization: Bearer <key>`, an `X-API-Key` header, or {\"key\": …} in a JSON body.";

const refuse = (status: 400 | 403, error: string): VerifyResult => ({ status, body: { valid: false, error }, headers: {} });
const unauthorized = (reason: string): VerifyResult => ({
  status: 401,
  body: { valid: false, error: INVALID_KEY_MESSAGE },
  headers: { "WWW-Authenticate": 'Bearer realm="portico", error="invalid_token"' },
  reason,
});

/** Longest imported key (another portal's format) verify looks up; Portico's own are MAX_KEY_LENGTH. */
export const MAX_IMPORTED_KEY_LENGTH = 512;
const IMPORTED_KEY_PATTERN = /^[\x21-\x7e]{8,512}$/;
/** What follows the prefix in Portico's own keys: `_`, 43 random and 6 checksum characters (key-format.ts). */
const PORTICO_KEY_BODY = /^_[0-9A-Za-z]{49}$/;

/**
 * A key from another portal or gateway that verify can look up (and so the import accepts):
 * printable ASCII, 8 to 512 characters, and not a Portico-shaped key with a bad checksum (a typo:
 * verify refuses those before any lookup).
 */
export function isImportableKey(key: unknown, prefix: string): key is string {
  if (typeof key !== "string") return false;
  const porticoShaped = key.startsWith(`${prefix}_`) && PORTICO_KEY_BODY.test(key.slice(prefix.length));
  return porticoShaped ? isWellFormedKey(key, prefix) : IMPORTED_KEY_PATTERN.test(key);
}

export type VerifyOptions = {
  prefix: string;
  now?: Date;
  /** Counts the call against the plan's limits (429 past them) and records its outcome for usage. */
  limiter?: UsageLimiter;
  /**
   * True while imported keys exist (lib/keys/imported-keys.ts): a key not in Portico's format is
   * then looked up by its hash too. Otherwise it is refused before any lookup.
   */
  importedKeys?: () => boolean;
  /** Accepts Portico's OAuth access tokens (lib/oauth/verify-token.ts) as well as keys. */
  accessTokens?: AccessTokenVerifier;
};

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): one policy per limit the plan
 * has ("minute", "month"), with what is left and the seconds until its window resets.
 */
export function rateLimitHeaders(minute: WindowState | null, month: WindowState | null): Record<string, string> {
  const present: { name: string; w: WindowState; seconds: number }[] = [];
  if (minute) present.push({ name: "minute", w: minute, seconds: 60 });
  if (month) present.push({ name: "month", w: month, seconds: 30 * 24 * 3600 });
  if (present.length === 0) return {};
  return {
    "RateLimit-Policy": present.map(({ name, w, seconds }) => `"${name}";q=${w.limit};w=${seconds}`).join(", "),
    RateLimit: present.map(({ name, w }) => `"${name}";r=${w.remaining};t=${w.resetSeconds}`).join(", "),
  };
}

function tooMany(row: KeyRow, decision: Extract<Decision, { allowed: false }>): VerifyResult {
  const rate = decision.limit === "rate";
  const error = rate
    ? `Rate limit reached: this access allows ${row.rate_limit} calls per minute. Retry in ${decision.retryAfterSeconds} s.`
    : `Monthly quota used up: this access allows ${row.quota} calls per month. It renews at the start of next month (UTC), in ${decision.retryAfterSeconds} s.`;
  return {
    status: 429,
    body: { valid: false, error, limit: rate ? "rate_limit" : "quota", retryAfterSeconds: decision.retryAfterSeconds, keyId: row.id },
    headers: {
      "Retry-After": String(decision.retryAfterSeconds),
      ...rateLimitHeaders(decision.minute, decision.month),
      // For gateways that pass on the status but not the body (examples/nginx).
      "X-Portico-Limit": rate ? "rate_limit" : "quota",
    },
  };
}

/**
 * The verify contract (DESIGN.md §5): 200 valid, 401 unknown/expired/revoked (or malformed: refused
 * before any lookup), 403 valid but not for the named product, 429 past the plan's rate limit or
 * quota (when the plan enforces them). `lookup` is the only database access; the limiter counts in
 * memory.
 */
export async function verifyKey(
  input: VerifyInput,
  lookup: (keyHash: string) => Promise<readonly KeyRow[]>,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  if (input.key === undefined || input.key === null || input.key === "") {
    return unauthorized("no key");
  }
  const key = input.key;
  if (opts.accessTokens && looksLikeJwt(key)) return verifyAccessToken(key, input, opts.accessTokens, opts);
  if (!(isWellFormedKey(key, opts.prefix) || (opts.importedKeys?.() && isImportableKey(key, opts.prefix)))) {
    return unauthorized("malformed key or bad checksum");
  }
  const product = productOf(input);
  if (typeof product === "object" && product !== null) return product;
  const [row] = await lookup(hashSecret(key as string));
  const now = (opts.now ?? new Date()).getTime();
  if (!row || row.app_deleted) return unauthorized(row ? "the key's app was deleted" : "unknown key");
  return answer(row, product, now, opts, {});
}

/** The product a call names: a slug, null for none, or the 400 for a bad one. */
function productOf(input: VerifyInput): string | null | VerifyResult {
  if (typeof input.product === "string" && PRODUCT_SLUG.test(input.product)) return input.product;
  if (input.product !== undefined && input.product !== null && input.product !== "") {
    // Only a bad value goes through zod, for its message: a slug is a regex test on the hot path.
    const parsed = productSlug.safeParse(input.product);
    if (!parsed.success) return refuse(400, parsed.error.issues[0]?.message ?? "product must be a product slug");
    return parsed.data;
  }
  return null;
}

/**
 * An OAuth access token (RFC 9068 JWT from /oauth/token): the token checked (signature, iss, exp),
 * then its client's current state, as for a key: a revoked client's token is refused at once.
 * The token grants the products it names that the client still has.
 */
async function verifyAccessToken(token: string, input: VerifyInput, verifier: AccessTokenVerifier, opts: VerifyOptions): Promise<VerifyResult> {
  const at = opts.now ?? new Date();
  const checked = await verifier.check(token, at);
  if ("reason" in checked) return unauthorized(checked.reason);
  const product = productOf(input);
  if (typeof product === "object" && product !== null) return product;
  const [client] = await verifier.lookup(checked.clientId);
  if (!client) return unauthorized("the access token's client no longer exists");
  const now = at.getTime();
  if (client.revoked_jtis.includes(checked.jti)) return unauthorized(`access token ${checked.jti} was revoked`);
  if (client.app_deleted) return unauthorized(`client ${client.client_id}: the app was deleted`);
  // Ended with its request (revoked, checked in, expired); the client's own end is answer()'s ends_at.
  if (client.request_status !== "available") {
    opts.limiter?.record(client.id, "revoked", product ?? "");
    return unauthorized(`client ${client.client_id}: the request is ${client.request_status}`);
  }
  const row: KeyRow = { ...client, products: client.products.filter((p) => checked.products.includes(p)) };
  return answer(row, product, now, opts, { clientId: client.client_id, scope: checked.scope });
}

function answer(row: KeyRow, product: string | null, now: number, opts: VerifyOptions, oauth: { clientId?: string; scope?: string }): VerifyResult {
  const record = (outcome: UsageOutcome) =>
    opts.limiter?.record(row.id, outcome, product ?? (row.products.length === 1 ? (row.products[0] ?? "") : ""));
  if (row.ends_at !== null && row.ends_at <= now) {
    record("revoked");
    return unauthorized(`key ${row.id} was revoked or replaced`);
  }
  if (row.expires_at !== null && row.expires_at <= now) {
    record("expired");
    return unauthorized(`key ${row.id} has expired`);
  }
  if (row.valid_from > now) return unauthorized(`key ${row.id} is not valid yet`);
  // An archived product's keys stop working for it; a key left with no product works for nothing.
  if (row.products.length === 0) {
    record("revoked");
    return unauthorized(`key ${row.id} has no product left (archived or revoked)`);
  }
  if (product && !row.products.includes(product)) {
    record("unknown_product");
    return refuse(403, oauth.clientId ? `This access token does not grant access to "${product}".` : `This API key does not grant access to "${product}".`);
  }
  let limitHeaders: Record<string, string> = {};
  if (opts.limiter) {
    const decision = opts.limiter.check(row.request_id, { ratePerMinute: row.rate_limit, quotaPerMonth: row.quota, enforce: row.enforce });
    if (!decision.allowed) {
      record(decision.limit === "rate" ? "rate_limited" : "over_quota");
      return tooMany(row, decision);
    }
    record("allowed");
    limitHeaders = rateLimitHeaders(decision.minute, decision.month);
  }
  const end = Math.min(row.expires_at ?? Infinity, row.ends_at ?? Infinity);
  const expiresAt = Number.isFinite(end) ? new Date(end) : null;
  return {
    status: 200,
    body: {
      valid: true,
      keyId: row.id,
      ...(oauth.clientId ? { clientId: oauth.clientId, scope: oauth.scope ?? "" } : {}),
      app: { id: row.app_id, name: row.app_name },
      plan: { name: row.plan_name, rateLimitPerMinute: row.rate_limit, quotaPerMonth: row.quota, limitsEnforcedBy: row.enforce ? "portico" : "gateway" },
      products: row.products,
      expiresAt: expiresAt?.toISOString() ?? null,
    },
    headers: {
      "X-Portico-Key-Id": row.id,
      ...(oauth.clientId ? { "X-Portico-Client-Id": oauth.clientId, "X-Portico-Scope": oauth.scope ?? "" } : {}),
      "X-Portico-App-Id": row.app_id,
      "X-Portico-App-Name": encodeURIComponent(row.app_name),
      "X-Portico-Plan": encodeURIComponent(row.plan_name),
      "X-Portico-Rate-Limit": row.rate_limit === null ? "unlimited" : String(row.rate_limit),
      "X-Portico-Quota": row.quota === null ? "unlimited" : String(row.quota),
      "X-Portico-Products": row.products.join(","),
      "X-Portico-Key-Expires": expiresAt?.toISOString() ?? "never",
      ...limitHeaders,
    },
  };
}

/** How verify reads request headers: web Headers, or lib/net/node-headers.ts headerReader. */
export type HeaderSource = { get(name: string): string | null };

/** Where a request may carry the key: Bearer, X-API-Key, or a JSON body. Headers win. */
export function keyFromHeaders(headers: HeaderSource): string | null {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? auth.slice(0, MAX_IMPORTED_KEY_LENGTH + 1);
  }
  return headers.get("x-api-key");
}
