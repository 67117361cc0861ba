import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

/** One role of a portal API access key (lib/api-access/roles.ts): `products` is "all" or product ids. */
export type ApiAccessGrant =
  | { role: "portal_admin" }
  | { role: "portal_viewer" }
  | { role: "product_viewer"; products: "all" | string[] }
  | { role: "product_approver"; products: "all" | string[] };

// Keys other applications use to call the portal's own REST API (/api/v1). The token (a JWT) is
// never stored: only its jti and SHA-256. Each key acts as its own service user (users.kind =
// 'service'), so what it approves or changes is attributed to it like a person's act is.
export const apiAccessKeys = pgTable(
  "api_access_keys",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text().notNull(),
    // null once removed: a removed key's token finds no jti and is refused at its next call
    jti: text(),
    tokenSha256: text(),
    roles: jsonb().$type<ApiAccessGrant[]>().notNull(),
    serviceUserId: text()
      .notNull()
      .references(() => users.id),
    createdById: text()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastUsedAt: timestamp({ withTimezone: true }),
    expiryWarnedAt: timestamp({ withTimezone: true }),
    removedAt: timestamp({ withTimezone: true }),
    removedById: text().references(() => users.id),
  },
  (t) => [
    // names are unique ignoring case, removed keys included (a name never comes back)
    uniqueIndex("api_access_keys_name_key").on(sql`lower(${t.name})`),
    uniqueIndex("api_access_keys_jti_key").on(t.jti),
    index("api_access_keys_expires_idx").on(t.expiresAt),
  ],
);

// The portal's token-signing keys (ES256). The private JWK is sealed (lib/mail/sealed.ts); a retired
// key no longer verifies. The newest unretired key signs.
export const portalSigningKeys = pgTable("portal_signing_keys", {
  kid: text().primaryKey(),
  alg: text().notNull(),
  publicJwk: jsonb().$type<Record<string, unknown>>().notNull(),
  privateJwkSealed: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp({ withTimezone: true }),
});

// Idempotency-Key of POSTs to /api/v1, per access key, kept 24 h (lib/api/idempotency.ts).
export const apiIdempotencyKeys = pgTable(
  "api_idempotency_keys",
  {
    accessKeyId: text().notNull(),
    key: text().notNull(),
    // method, path and body SHA-256: the same key with another request answers 422
    fingerprint: text().notNull(),
    // null while in flight
    responseStatus: integer(),
    responseBody: text(),
    responseHeaders: jsonb().$type<Record<string, string>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accessKeyId, t.key] }), index("api_idempotency_keys_created_idx").on(t.createdAt)],
);
