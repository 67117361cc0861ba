import { boolean, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const plans = pgTable(
  "plans",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text().notNull(),
    description: text().notNull().default(""),
    autoApprove: boolean().notNull().default(false),
    approvalsRequired: integer().notNull().default(1),
    // null = keys never expire
    keyLifetimeDays: integer().default(180),
    claimLinkLifetimeHours: integer().notNull().default(72),
    // requests per minute; null = unlimited
    rateLimitPerMinute: integer(),
    // requests per month; null = unlimited
    quotaPerMonth: integer(),
    reviewRequired: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("plans_name_key").on(t.name)],
);
