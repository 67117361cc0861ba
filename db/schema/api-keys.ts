import { sql } from "drizzle-orm";
import { type AnyPgColumn, index, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accessRequests } from "./access-requests";
import { apps } from "./apps";
import { users } from "./users";

export const keyEndReason = pgEnum("key_end_reason", ["rolled", "revoked", "checked_in", "expired"]);
export type KeyEndReason = (typeof keyEndReason.enumValues)[number];

// API keys. Only the SHA-256 of the key is stored; `start` ("ptk_AbCd") identifies it on screen.
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    keyHash: text().notNull(),
    start: text().notNull(),
    appId: text()
      .notNull()
      .references(() => apps.id),
    requestId: text()
      .notNull()
      .references(() => accessRequests.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    validFrom: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // start + duration; null = never expires
    expiresAt: timestamp({ withTimezone: true }),
    // When an action (roll, revoke, check-in) stops the key; for a roll this is after the grace period.
    endsAt: timestamp({ withTimezone: true }),
    endReason: keyEndReason(),
    revokedAt: timestamp({ withTimezone: true }),
    revokedById: text().references(() => users.id),
    revokedReason: text(),
    replacedById: text().references((): AnyPgColumn => apiKeys.id),
    lastUsedAt: timestamp({ withTimezone: true }),
    // When the requester was told the key expires soon (once per key).
    expiryWarnedAt: timestamp({ withTimezone: true }),
    // Set when the key was imported from another portal or gateway (Admin → Keys → Import): such a
    // key may not be in Portico's format; only its SHA-256 is known.
    importedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_app_idx").on(t.appId, t.createdAt),
    index("api_keys_request_idx").on(t.requestId),
    index("api_keys_created_idx").on(t.createdAt),
    // ⌘K search finds a key by the start shown on screen: start LIKE 'ptk_Ab%' as a range scan.
    index("api_keys_start_idx").on(sql`start text_pattern_ops`),
    // verify asks "are there imported keys at all?" every few seconds
    index("api_keys_imported_idx").on(t.importedAt).where(sql`${t.importedAt} is not null`),
    // The expiry sweep and the reminder digests (lib/keys/reminders.ts) read working keys by expiry.
    index("api_keys_working_expiry_idx").on(t.expiresAt).where(sql`${t.endReason} is null`),
  ],
);
