import { boolean, index, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accessRequests } from "./access-requests";
import { users } from "./users";

export const reviewKind = pgEnum("review_kind", ["approved", "auto_approved", "revoked"]);

// Completed decisions on plans that require review wait here until a reviewer marks them reviewed.
export const reviews = pgTable(
  "reviews",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    requestId: text()
      .notNull()
      .references(() => accessRequests.id, { onDelete: "cascade" }),
    kind: reviewKind().notNull(),
    commentRequired: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    reviewedAt: timestamp({ withTimezone: true }),
    reviewedById: text().references(() => users.id),
    comment: text(),
  },
  (t) => [index("reviews_open_idx").on(t.reviewedAt, t.createdAt), index("reviews_request_idx").on(t.requestId)],
);
