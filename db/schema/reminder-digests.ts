import { date, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { emailMessages } from "./email-messages";
import { users } from "./users";

/**
 * One row per recipient per day (UTC) that a key reminder digest was sent: the unique index is the
 * guard that makes it at most one email a day, even with several workers running the task at once
 * (lib/keys/reminders.ts claims the row with INSERT … ON CONFLICT DO NOTHING).
 */
export const reminderDigests = pgTable(
  "reminder_digests",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    recipientId: text()
      .notNull()
      .references(() => users.id),
    day: date({ mode: "string" }).notNull(),
    emailMessageId: text().references(() => emailMessages.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("reminder_digests_recipient_day_key").on(t.recipientId, t.day)],
);
