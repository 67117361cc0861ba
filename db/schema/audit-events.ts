import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

// Append-only record of every state change. Written in the same transaction as the change.
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    actorId: text().references(() => users.id),
    // "user" | "system" | "auto-approve"
    actorType: text().notNull().default("user"),
    action: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    comment: text(),
    ip: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // per-object timelines
    index("audit_events_subject_idx").on(t.subjectType, t.subjectId, t.createdAt),
    index("audit_events_created_idx").on(t.createdAt),
    // what one actor did, newest first: an API access key's own page (lib/api-access/queries.ts)
    index("audit_events_actor_idx").on(t.actorId, t.id),
    // free-text search (lib/audit/queries.ts): a trigram index over the same expression the query
    // matches with ILIKE '%…%', so a search over a million events does not scan them all
    index("audit_events_search_trgm_idx").using("gin", sql`(action || ' ' || subject_id || ' ' || coalesce(comment, '')) gin_trgm_ops`),
  ],
);
