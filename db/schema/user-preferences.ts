import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

export type UserPreferences = {
  /** Approval-queue columns the user has hidden. */
  queueHiddenColumns?: string[];
};

export const userPreferences = pgTable("user_preferences", {
  userId: text()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  preferences: jsonb().$type<UserPreferences>().notNull().default({}),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
