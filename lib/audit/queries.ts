import { and, desc, eq, gte, ilike, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/connect";
import { apiAccessKeys, auditEvents, users } from "@/db/schema";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { escapeLike } from "@/lib/sql/escape-like";

export const AUDIT_PAGE = 50;
export const SUBJECT_TYPES = ["request", "key", "app", "product", "plan", "user", "api_access_key", "webhook_endpoint", "setting"] as const;

const dateOnly = z.iso.date().optional().catch(undefined);

/** The audit log's filters, from the URL (page and export alike). Anything unreadable is ignored. */
export const auditFiltersSchema = z.object({
  action: z.string().max(100).regex(/^[a-z_.]*$/).optional().catch(undefined),
  subjectType: z.enum(SUBJECT_TYPES).optional().catch(undefined),
  subjectId: z.string().max(100).optional().catch(undefined),
  actor: z.string().max(200).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  from: dateOnly,
  to: dateOnly,
  before: z.coerce.number().int().positive().optional().catch(undefined),
});
export type AuditFilters = z.output<typeof auditFiltersSchema>;

/** The filters as SQL over audit_events left-joined to the acting users row (page, export and API). */
export function auditWhere(f: Omit<AuditFilters, "before">) {
  const like = (s: string) => `%${escapeLike(s.trim())}%`;
  return and(
    f.action ? eq(auditEvents.action, f.action) : undefined,
    f.subjectType ? eq(auditEvents.subjectType, f.subjectType) : undefined,
    f.subjectId ? eq(auditEvents.subjectId, f.subjectId) : undefined,
    // A person by address; an API key by its name (its service user's address is internal).
    f.actor?.trim()
      ? or(and(eq(users.kind, "person"), ilike(users.email, like(f.actor))), and(eq(users.kind, "service"), ilike(users.name, like(f.actor))))
      : undefined,
    // The same expression as the trigram index audit_events_search_trgm_idx (db/schema/audit-events.ts).
    f.q?.trim()
      ? ilike(sql`(${auditEvents.action} || ' ' || ${auditEvents.subjectId} || ' ' || coalesce(${auditEvents.comment}, ''))`, like(f.q))
      : undefined,
    f.from ? gte(auditEvents.createdAt, new Date(`${f.from}T00:00:00Z`)) : undefined,
    f.to ? lt(auditEvents.createdAt, new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000)) : undefined,
  );
}

const columns = {
  id: auditEvents.id,
  createdAt: auditEvents.createdAt,
  actorType: auditEvents.actorType,
  actorEmail: users.email,
  actorKind: users.kind,
  actorName: users.name,
  action: auditEvents.action,
  subjectType: auditEvents.subjectType,
  subjectId: auditEvents.subjectId,
  comment: auditEvents.comment,
  ip: auditEvents.ip,
  data: auditEvents.data,
};

/** Newest first, keyset-paged on the id, so page 1,000 costs what page 1 does. */
export async function listAudit(db: Queryable, f: AuditFilters) {
  const rows = await db
    // actorKeyId: set when the actor is an API access key's service user, to link to the key's page.
    // Not in the export's columns: a second "id" there overwrote the event's id in the raw rows.
    .select({ ...columns, actorKeyId: apiAccessKeys.id })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .leftJoin(apiAccessKeys, eq(apiAccessKeys.serviceUserId, auditEvents.actorId))
    .where(and(auditWhere(f), f.before ? lt(auditEvents.id, f.before) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(AUDIT_PAGE + 1);
  const page = rows.slice(0, AUDIT_PAGE);
  return { rows: page, nextBefore: rows.length > AUDIT_PAGE ? page[page.length - 1]?.id : undefined };
}

/** The same filtered view, every row, for the CSV export (run through a cursor by the caller). */
/** The export's SQL, for admins only (checked here too: the route is one caller of many). */
export function auditExportQuery(db: Queryable, actor: Actor, f: AuditFilters) {
  assertCan(actor, "audit.export", null);
  return db
    .select(columns)
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(auditWhere(f))
    .orderBy(desc(auditEvents.id))
    .toSQL();
}

/** An audit row's actor as people read it. */
export type AuditActor = { actorType: string; actorEmail: string | null; actorKind?: string | null; actorName?: string | null };

/** Whether the actor is a portal API access key (its service user), which is named, never addressed. */
export const isApiKeyActor = (r: AuditActor) => r.actorKind === "service";

/**
 * "owner@example.com", "Billing sync (API key)", "auto-approve", "Portico". An API key's service
 * user has an internal address (api-key-<id>@api-keys.invalid) that is never shown.
 */
export const who = (r: AuditActor) => {
  if (isApiKeyActor(r)) return `${r.actorName ?? "Removed key"} (API key)`;
  return r.actorEmail ?? (r.actorType === "auto-approve" ? "auto-approve" : r.actorType === "system" ? "Portico" : "someone");
};
