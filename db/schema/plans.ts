import { sql } from "drizzle-orm";
import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";
import { webhookEndpoints } from "./webhooks";

/** A question the requester answers when asking for access under a plan (a reason is always asked). */
export type RequestField = {
  key: string;
  label: string;
  type: "text" | "textarea" | "select";
  required: boolean;
  options?: string[];
};

export const plans = pgTable(
  "plans",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text().notNull(),
    description: text().notNull().default(""),
    autoApprove: boolean().notNull().default(false),
    approvalsRequired: integer().notNull().default(1),
    // null = keys never expire
    keyLifetimeDays: integer().default(180),
    claimLinkLifetimeHours: integer().notNull().default(72),
    // requests per minute; null = unlimited
    rateLimitPerMinute: integer(),
    // requests per month; null = unlimited
    quotaPerMonth: integer(),
    // false: the gateway enforces the limits itself; verify only counts and reports them.
    enforceLimits: boolean().notNull().default(true),
    // The longest an old key may keep working after a roll (the consumer chooses up to this).
    maxGraceHours: integer().notNull().default(168),
    // Days before a key expires when its requester is reminded (0 = on the day it expires).
    reminderDays: integer().array().notNull().default(sql`'{30,7,1,0}'::integer[]`),
    reviewRequired: boolean().notNull().default(false),
    reviewCommentRequired: boolean().notNull().default(false),
    // Who created the plan: owners edit their own plans, admins all; null = seeded/admin-managed.
    ownerId: text().references(() => users.id),
    requestFields: jsonb().$type<RequestField[]>().notNull().default([]),
    // External approval: a request waits for this endpoint's third party (lib/webhooks/handoff.ts)
    // and falls back to manual approval after handoffTimeoutHours.
    handoffEndpointId: text().references(() => webhookEndpoints.id, { onDelete: "set null" }),
    handoffTimeoutHours: integer().notNull().default(72),
    // Redirect after submit (Tyk's "Redirect Key Request"): the consumer is sent here with a signed reference.
    redirectUrl: text(),
    // OAuth 2.0 products (lib/oauth): the scopes a client may ask for, and its access tokens' lifetime.
    oauthScopes: text().array().notNull().default(sql`'{}'::text[]`),
    accessTokenLifetimeSeconds: integer().notNull().default(600),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("plans_name_key").on(t.name)],
);
