import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// Magic-link tokens. Auth.js stores only a SHA-256 of token+secret here, and deletes the row on use.
export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);
