import { sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accessRequests } from "./access-requests";
import { keyEndReason } from "./api-keys";
import { apps } from "./apps";
import { users } from "./users";

/** How a client proves itself at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export const oauthClientAuth = pgEnum("oauth_client_auth", ["client_secret", "private_key_jwt"]);
export type OAuthClientAuth = (typeof oauthClientAuth.enumValues)[number];

/**
 * OAuth 2.0 clients (client-credentials grant): what an approved request for an OAuth 2.0 product
 * yields instead of an API key. Mirrors api_keys: lifetime, end (roll/revoke/check-in/expiry), last use.
 * Only the SHA-256 of a secret is stored. A roll keeps the client id and moves the current secret to
 * `previous_secret_hash`, valid until `previous_secret_ends_at` (the grace period). A client that
 * registered a public key (`private_key_jwt`) has no secret at all.
 */
export const oauthClients = pgTable(
  "oauth_clients",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    // Public identifier, sent by the client (`pcl_…`).
    clientId: text().notNull(),
    authMethod: oauthClientAuth().notNull().default("client_secret"),
    secretHash: text(),
    // "pcs_AbCd": identifies the current secret on screen.
    secretStart: text(),
    previousSecretHash: text(),
    previousSecretEndsAt: timestamp({ withTimezone: true }),
    // The registered public key (JWK) for private_key_jwt.
    publicJwk: jsonb().$type<Record<string, unknown>>(),
    appId: text()
      .notNull()
      .references(() => apps.id),
    requestId: text()
      .notNull()
      .references(() => accessRequests.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    validFrom: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // null = never expires
    expiresAt: timestamp({ withTimezone: true }),
    endsAt: timestamp({ withTimezone: true }),
    endReason: keyEndReason(),
    revokedAt: timestamp({ withTimezone: true }),
    revokedById: text().references(() => users.id),
    revokedReason: text(),
    lastUsedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("oauth_clients_client_id_key").on(t.clientId),
    index("oauth_clients_app_idx").on(t.appId, t.createdAt),
    index("oauth_clients_request_idx").on(t.requestId),
  ],
);

export const signingKeyState = pgEnum("oauth_signing_key_state", ["next", "active", "retired"]);
export type SigningKeyState = (typeof signingKeyState.enumValues)[number];

/**
 * The keys access tokens are signed with (lib/oauth/signing-keys.ts). The private JWK is sealed
 * (JWE with a key derived from AUTH_SECRET, lib/mail/sealed.ts); the public JWK is published at
 * /.well-known/jwks.json while the key is next, active, or retired less than a token lifetime ago.
 */
export const oauthSigningKeys = pgTable(
  "oauth_signing_keys",
  {
    kid: text().primaryKey(),
    alg: text().notNull(),
    privateJwk: text().notNull(),
    publicJwk: jsonb().$type<Record<string, unknown>>().notNull(),
    state: signingKeyState().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp({ withTimezone: true }),
    retiredAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("oauth_signing_keys_one_active").on(t.state).where(sql`${t.state} = 'active'`)],
);

/**
 * Single use of private_key_jwt assertions (RFC 7523 §3 jti) and revoked access tokens (RFC 7009):
 * kept until the assertion or token would have expired anyway.
 */
export const oauthJtiKind = pgEnum("oauth_jti_kind", ["assertion", "revoked_token"]);
export const oauthJtis = pgTable(
  "oauth_jtis",
  {
    kind: oauthJtiKind().notNull(),
    clientId: text().notNull(),
    jti: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.clientId, t.jti] }), index("oauth_jtis_expires_idx").on(t.expiresAt)],
);
