import { addDays } from "date-fns/addDays";
import { customAlphabet } from "nanoid";
import type { Sql } from "postgres";
import { eq } from "drizzle-orm";
import type { Queryable, Tx } from "@/db/connect";
import { accessRequests, oauthClients, plans } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { hashSecret } from "@/lib/keys/key-format";
import { requestIsOAuthColumn } from "@/lib/requests/product-names";
import { oauthEndpoints } from "./endpoints";
import { JTI_CLOCK_MARGIN } from "./purge-used-jtis";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const clientIdBody = customAlphabet(BASE62, 22);
const secretBody = customAlphabet(BASE62, 43);

/** Client ids are public (`pcl_` + 22 base62, 131 bits); secrets `pcs_` + 43 base62 (256 bits). */
export const CLIENT_ID_PATTERN = /^pcl_[0-9A-Za-z]{22}$/;
export const CLIENT_SECRET_PATTERN = /^pcs_[0-9A-Za-z]{43}$/;
export const generateClientId = () => `pcl_${clientIdBody()}`;
export const generateClientSecret = () => `pcs_${secretBody()}`;
export const secretStart = (secret: string) => secret.slice(0, 8);

/** True when the request's products are OAuth 2.0 products (the cart keeps auth methods apart). */
export async function requestIsOAuth(tx: Queryable, requestId: string) {
  const [row] = await tx.select({ oauth: requestIsOAuthColumn() }).from(accessRequests).where(eq(accessRequests.id, requestId));
  return row?.oauth ?? false;
}

/** The scopes a request's plan allows (shown with a new client's token call). */
export async function clientScopes(db: Queryable, requestId: string): Promise<string[]> {
  const [row] = await db
    .select({ scopes: plans.oauthScopes })
    .from(accessRequests)
    .innerJoin(plans, eq(plans.id, accessRequests.planId))
    .where(eq(accessRequests.id, requestId));
  return row?.scopes ?? [];
}

export type ClientRequest = { id: string; appId: string; startsAt: Date; durationDays: number | null };

/**
 * Creates an OAuth client for an approved request of an OAuth 2.0 product and returns its secret,
 * which exists only in this return value (the database keeps its SHA-256).
 */
export async function issueClient(tx: Tx, request: ClientRequest, opts: { actorId: string; now: Date }) {
  const clientId = generateClientId();
  const clientSecret = generateClientSecret();
  const expiresAt = request.durationDays === null ? null : addDays(request.startsAt, request.durationDays);
  const [client] = await tx
    .insert(oauthClients)
    .values({
      clientId,
      authMethod: "client_secret",
      secretHash: hashSecret(clientSecret),
      secretStart: secretStart(clientSecret),
      appId: request.appId,
      requestId: request.id,
      createdAt: opts.now,
      validFrom: request.startsAt,
      expiresAt,
    })
    .returning();
  if (!client) throw new Error("oauth_clients insert returned no row");
  await recordEvent(tx, {
    actorId: opts.actorId,
    action: "oauth_client.created",
    subjectType: "key",
    subjectId: client.id,
    data: { requestId: request.id, appId: request.appId, clientId, expiresAt: expiresAt?.toISOString() ?? null },
  });
  return { clientId, clientSecret, client };
}

/** Everything the token endpoint and verify need about a client, in one indexed lookup. */
export type ClientRow = {
  id: string;
  client_id: string;
  auth_method: "client_secret" | "private_key_jwt";
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_ends_at: number | null;
  public_jwk: Record<string, unknown> | null;
  request_id: string;
  request_status: string;
  app_id: string;
  app_name: string;
  app_deleted: boolean;
  valid_from: number;
  expires_at: number | null;
  ends_at: number | null;
  plan_name: string;
  rate_limit: number | null;
  quota: number | null;
  enforce: boolean;
  scopes: string[];
  token_lifetime: number;
  products: string[];
  /** Access tokens of this client revoked (RFC 7009) and not yet purged (lib/oauth/purge-used-jtis.ts). */
  revoked_jtis: string[];
};

export function lookupClient(sql: Sql, clientId: string) {
  return sql<ClientRow[]>`
    select c.id, c.client_id, c.auth_method, c.secret_hash, c.previous_secret_hash,
      extract(epoch from c.previous_secret_ends_at)::float8 * 1000 as previous_secret_ends_at,
      c.public_jwk, c.request_id, r.status as request_status, c.app_id, a.name as app_name, a.deleted_at is not null as app_deleted,
      extract(epoch from c.valid_from)::float8 * 1000 as valid_from,
      extract(epoch from c.expires_at)::float8 * 1000 as expires_at,
      extract(epoch from c.ends_at)::float8 * 1000 as ends_at,
      r.plan->>'name' as plan_name,
      (r.plan->>'rateLimitPerMinute')::int as rate_limit,
      (r.plan->>'quotaPerMonth')::int as quota,
      coalesce((r.plan->>'enforceLimits')::boolean, true) as enforce,
      coalesce(pl.oauth_scopes, '{}') as scopes,
      coalesce(pl.access_token_lifetime_seconds, 600) as token_lifetime,
      array(select p.slug from access_request_products arp join products p on p.id = arp.product_id
            where arp.request_id = r.id and arp.revoked_at is null and p.status <> 'archived' order by p.slug) as products,
      -- Until the purge deletes them: the token's exp is checked on the app's clock, which may run behind this one.
      array(select j.jti from oauth_jtis j where j.kind = 'revoked_token' and j.client_id = c.client_id
            and j.expires_at >= now() - ${JTI_CLOCK_MARGIN}::interval) as revoked_jtis
    from oauth_clients c
    join apps a on a.id = c.app_id
    join access_requests r on r.id = c.request_id
    left join plans pl on pl.id = r.plan_id
    where c.client_id = ${clientId}`;
}

/** Why a client cannot get or use tokens now, or null when it can. */
export function clientRefusal(row: ClientRow, now: number): string | null {
  if (row.app_deleted) return "the client's app was deleted";
  // Revoked, checked in, expired or replaced: the request's end ends its client (as it ends its keys).
  if (row.request_status !== "available") return `the client's request is ${row.request_status}`;
  if (row.ends_at !== null && row.ends_at <= now) return "the client was revoked or checked in";
  if (row.expires_at !== null && row.expires_at <= now) return "the client has expired";
  if (row.valid_from > now) return "the client is not valid yet";
  if (row.products.length === 0) return "the client has no product left";
  return null;
}

/**
 * A client just created by a claim, as the one screen that shows its secret gets it (the emailed
 * link's page and the request page alike): with the token endpoint and the plan's scopes for the
 * ready-made token call. `baseUrl`: the portal's, where the token endpoint is.
 */
export function revealedClient(
  claimed: { clientId: string; clientSecret: string; client: { expiresAt: Date | null }; scopes: string[]; requestId: string },
  baseUrl: string,
) {
  return {
    clientId: claimed.clientId,
    clientSecret: claimed.clientSecret,
    tokenUrl: oauthEndpoints(baseUrl).tokenEndpoint,
    expiresAt: claimed.client.expiresAt?.toISOString() ?? null,
    scopes: claimed.scopes,
    requestId: claimed.requestId,
  };
}
