import { integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accessRequests } from "./access-requests";
import { apiKeys } from "./api-keys";
import { reminderDigests } from "./reminder-digests";

/**
 * Each expiry reminder sent: (request, the expiry it warned of, days before). Unique on those, so a
 * reminder goes exactly once even with two workers; keyed by the request's expiry rather than the
 * key, so a roll (same expiry, new key) does not remind again, and an extension (new expiry) starts
 * a new series. `keyId` is the key that was current when it was sent.
 */
export const keyReminders = pgTable(
  "key_reminders",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    requestId: text()
      .notNull()
      .references(() => accessRequests.id, { onDelete: "cascade" }),
    keyId: text()
      .notNull()
      .references(() => apiKeys.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    daysBefore: integer().notNull(),
    digestId: text()
      .notNull()
      .references(() => reminderDigests.id),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("key_reminders_request_expiry_days_key").on(t.requestId, t.expiresAt, t.daysBefore)],
);
