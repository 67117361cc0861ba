import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accessRequests } from "./access-requests";

// One-time links that let the requester reveal a new key. Only the token's SHA-256 is stored.
export const claimLinks = pgTable(
  "claim_links",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    requestId: text()
      .notNull()
      .references(() => accessRequests.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    // Set when a newer link for the same request replaces this one.
    supersededAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("claim_links_token_hash_key").on(t.tokenHash), index("claim_links_request_idx").on(t.requestId)],
);
