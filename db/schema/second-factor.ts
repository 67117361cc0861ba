import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * A person's TOTP authenticator (lib/second-factor). One row per user: `confirmedAt` null while a
 * setup waits for its two codes (it lapses 5 minutes after `createdAt`), set once confirmed.
 */
export const secondFactors = pgTable(
  "second_factors",
  {
    userId: text()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    // The base32 TOTP secret, sealed (lib/mail/sealed.ts): never stored readable, never logged.
    secret: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp({ withTimezone: true }),
    // The newest 30-second step a code was accepted for: a code for this step or an older one is a replay.
    lastUsedStep: bigint({ mode: "number" }),
    lastUsedAt: timestamp({ withTimezone: true }),
    // Wrong codes since the last success; the 5th locks the factor until `lockedUntil`.
    failedAttempts: integer().notNull().default(0),
    lockedUntil: timestamp({ withTimezone: true }),
    // While a setup waits: SHA-256 of the session that began it, the only one shown its secret again
    // and allowed to confirm it (a stolen session cannot copy a new authenticator). Null once confirmed.
    setupSessionHash: text(),
  },
  (t) => [check("second_factors_failed_attempts_check", sql`${t.failedAttempts} >= 0`)],
);

/** One-time recovery codes, ten per confirmed setup; only their SHA-256 is kept. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId, t.codeHash)],
);

export const secondFactorPolicy = pgEnum("second_factor_policy", ["no_one", "admins", "admins_and_owners", "everyone"]);
export type SecondFactorPolicy = (typeof secondFactorPolicy.enumValues)[number];

/** Portal-wide security settings: one row (id true), absent until an admin first saves them. */
export const securitySettings = pgTable(
  "security_settings",
  {
    id: boolean().primaryKey().default(true),
    secondFactorPolicy: secondFactorPolicy().notNull().default("admins_and_owners"),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedById: text().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [check("security_settings_one_row", sql`${t.id}`)],
);
