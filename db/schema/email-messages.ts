import { index, integer, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const emailStatus = pgEnum("email_status", ["queued", "sending", "sent", "failed", "expired"]);

// One row per outbound message; the job queue moves it from queued to sent (or failed, with the
// error; or expired, when it could not be sent within its useful life: lib/mail/useful-life.ts).
export const emailMessages = pgTable(
  "email_messages",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    to: text().notNull(),
    template: text().notNull(),
    props: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    subject: text().notNull().default(""),
    status: emailStatus().notNull().default("queued"),
    attempts: integer().notNull().default(0),
    // "outbox" or "resend"
    transport: text(),
    providerId: text(),
    lastError: text(),
    // Kept only for the local outbox (the dev mailbox renders it).
    html: text(),
    text: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // Past this the message is not sent (a sign-in link that has expired); null: no limit.
    usefulUntil: timestamp({ withTimezone: true }),
    // When the next attempt is due (each attempt is its own job, scheduled by deliverEmail).
    nextAttemptAt: timestamp({ withTimezone: true }),
    // While an attempt is in flight: no other worker sends the message before this.
    leaseUntil: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("email_messages_created_idx").on(t.createdAt),
    index("email_messages_to_idx").on(t.to, t.createdAt),
  ],
);
