import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

// Admin overrides of email subjects (bodies stay in code). Absent row = the template's default.
export const emailSubjects = pgTable("email_subjects", {
  template: text().primaryKey(),
  subject: text().notNull(),
  updatedBy: text().references(() => users.id),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
