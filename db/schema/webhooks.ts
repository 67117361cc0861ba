import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

// Where Portico posts lifecycle events (lib/webhooks/). The signing secret must be usable to sign,
// so it is kept sealed (JWE, key derived from AUTH_SECRET; lib/mail/sealed.ts), never as plaintext.
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text().notNull(),
    description: text().notNull().default(""),
    url: text().notNull(),
    // null = every event type
    eventTypes: jsonb().$type<string[]>(),
    // null = events about any product
    productIds: jsonb().$type<string[]>(),
    enabled: boolean().notNull().default(true),
    // why it is disabled: "admin" (switched off) or "failing" (5 days of failures)
    disabledReason: text(),
    secret: text().notNull(),
    // after a rotation the old secret signs too until it lapses (both signatures are sent)
    previousSecret: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    // the first failed attempt since the last success; null while it succeeds
    failingSince: timestamp({ withTimezone: true }),
    failureWarnedAt: timestamp({ withTimezone: true }),
    createdById: text().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("webhook_endpoints_name_key").on(sql`lower(${t.name})`)],
);

// One event ("message"): its id is the webhook-id every delivery and retry of it carries, and its
// body is kept as the exact bytes that are signed and sent. Kept 30 days.
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text().primaryKey(),
    type: text().notNull(),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_events_created_idx").on(t.createdAt)],
);

// One event owed to one endpoint. `step` indexes the retry schedule (lib/webhooks/schedule.ts);
// `leaseUntil` marks an attempt in flight, so a worker that died mid-attempt is retried after it.
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    eventId: text()
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    // "pending" (an attempt is due or in flight), "succeeded", "failed" (schedule exhausted or endpoint disabled)
    status: text().$type<"pending" | "succeeded" | "failed">().notNull().default("pending"),
    step: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp({ withTimezone: true }),
    lastAttemptAt: timestamp({ withTimezone: true }),
    lastStatusCode: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_endpoint_key").on(t.eventId, t.endpointId),
    // the delivery log, newest first
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
    // the sweep: pending deliveries whose attempt is overdue
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

// Every attempt: when, the HTTP status (null: no answer), how long, and the first 4 KB of the answer.
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    deliveryId: text()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: text().notNull(),
    attemptedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    durationMs: integer().notNull(),
    statusCode: integer(),
    succeeded: boolean().notNull(),
    // "timeout", "network error: ECONNREFUSED", "refused: private address", …
    error: text(),
    responseBody: text().notNull().default(""),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt), index("webhook_attempts_endpoint_idx").on(t.endpointId, t.attemptedAt)],
);
