import { sql } from "drizzle-orm";
import { bigint, check, date, index, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Calls counted against a plan's limits (lib/usage/limiter.ts), per subject (an access request: its
 * keys share its limits, so a roll does not reset them) and window: one row per minute and one per
 * calendar month (UTC). Instances count in memory and add their counts here at least once a second.
 */
export const usageWindow = pgEnum("usage_window", ["minute", "month"]);

export const usageCounters = pgTable(
  "usage_counters",
  {
    subjectId: text().notNull(),
    window: usageWindow().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.subjectId, t.window, t.windowStart] }),
    // purging old minute rows
    index("usage_counters_window_start_idx").on(t.window, t.windowStart),
    check("usage_counters_count_check", sql`${t.count} >= 0`),
  ],
);

/**
 * What verify answered, per key per day (UTC) per product: what consumers and owners see as usage.
 * `product` is the slug the gateway named, or the key's only product when it named none; '' when
 * the call named none and the key has several.
 */
export const usageOutcome = pgEnum("usage_outcome", ["allowed", "rate_limited", "over_quota", "unknown_product", "expired", "revoked"]);
export type UsageOutcome = (typeof usageOutcome.enumValues)[number];

export const keyUsageDaily = pgTable(
  "key_usage_daily",
  {
    keyId: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    outcome: usageOutcome().notNull(),
    product: text().notNull().default(""),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day, t.outcome, t.product] }), index("key_usage_daily_day_idx").on(t.day)],
);
