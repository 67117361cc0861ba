import { sql } from "drizzle-orm";
import { index, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["consumer", "owner", "admin"]);
export type UserRole = (typeof userRole.enumValues)[number];
// "service": the identity a portal API access key acts as (db/schema/api-access-keys.ts); it never signs in.
export const userKind = pgEnum("user_kind", ["person", "service"]);

// Shape required by the Auth.js Drizzle adapter, plus Portico's role.
export const users = pgTable(
  "users",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text(),
    email: text().notNull(),
    emailVerified: timestamp({ mode: "date", withTimezone: true }),
    image: text(),
    role: userRole().notNull().default("consumer"),
    kind: userKind().notNull().default("person"),
    // A disabled user cannot sign in; their sessions are deleted when they are disabled.
    disabledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    // ⌘K search (lib/search/search-everything.ts): email or name ILIKE '%…%' as index lookups.
    index("users_email_trgm_idx").using("gin", sql`email gin_trgm_ops`),
    index("users_name_trgm_idx").using("gin", sql`name gin_trgm_ops`),
  ],
);
