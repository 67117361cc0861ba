import { pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["consumer", "owner", "admin"]);
export type UserRole = (typeof userRole.enumValues)[number];

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
    // A disabled user cannot sign in; their sessions are deleted when they are disabled.
    disabledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);
