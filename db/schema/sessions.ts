import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

// Database sessions: deleting a row signs the user out everywhere at once.
export const sessions = pgTable(
  "sessions",
  {
    sessionToken: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
    // When a second-factor code was last entered in this session (step-up: lib/second-factor/step-up.ts).
    steppedUpAt: timestamp({ mode: "date", withTimezone: true }),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);
