import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { apiAccessKeys, auditEvents, users } from "@/db/schema";
import { assertCan } from "@/lib/auth/permissions";
import { actorView, actorViewSchema } from "@/lib/audit/actor-view";
import { auditCsvFilename, auditCsvStream } from "@/lib/audit/csv-stream";
import { type AuditFilters, SUBJECT_TYPES, auditWhere } from "@/lib/audit/queries";
import { type Cursor, page, pageQuery, pageSchema } from "../cursor";
import { apiDay } from "../day";
import { decodeKeyset, searchText } from "../keyset";
import { linkHeader } from "../links";
import { defineOperation, ok } from "../operation";
import { DIRECTORY } from "./apps";

export const auditEventSchema = z
  .object({
    id: z.string().meta({ description: "Increasing with time." }),
    createdAt: z.iso.datetime(),
    actor: actorViewSchema,
    action: z.string().meta({ description: "e.g. request.approved, product.published." }),
    subjectType: z.string(),
    subjectId: z.string(),
    comment: z.string().nullable(),
    ip: z.string().nullable().meta({ description: "Where the change came from." }),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEvent" });

const day = apiDay().optional();
/** The audit page's filters (app/admin/audit), strict here: a bad value is a 422, not ignored. */
const filters = {
  action: z.string().max(100).regex(/^[a-z_.]+$/, "Lowercase letters, dots and underscores, e.g. request.approved.").optional(),
  subjectType: z.enum(SUBJECT_TYPES).optional(),
  subjectId: searchText(100).optional(),
  actor: searchText(200).optional().meta({ description: "Part of the actor's email, or of an API access key's name." }),
  q: searchText(200).optional().meta({ description: "Part of the action, subject id or comment." }),
  from: day.meta({ description: "First day (UTC), inclusive." }),
  to: day.meta({ description: "Last day (UTC), inclusive." }),
};
const filterQuery = z.object(filters).refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "`to` is before `from`." });

export const listAuditEvents = defineOperation({
  operationId: "listAuditEvents",
  method: "GET",
  path: "/audit-events",
  tag: "Audit",
  summary: "List audit events",
  description: "Every change in Portico, newest first, with the audit page's filters.",
  roles: DIRECTORY,
  query: z.object({ ...filters, ...pageQuery }).refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "`to` is before `from`." }),
  responses: {
    200: { description: "A page of audit events.", schema: pageSchema(auditEventSchema).meta({ id: "AuditEventPage" }), headers: { Link: "rel=\"next\" page, when there is one." } },
  },
  handler: async ({ db, actor, query, request }) => {
    assertCan(actor, "directory.read", null);
    const after = decodeKeyset(query.cursor, "time", "number");
    const rows = await db
      .select({
        id: auditEvents.id,
        createdAt: auditEvents.createdAt,
        // the exact timestamp (microseconds) for the keyset cursor; a Date keeps only milliseconds
        at: sql<string>`${auditEvents.createdAt}::text`,
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        actorEmail: users.email,
        actorName: users.name,
        actorKind: users.kind,
        keyId: apiAccessKeys.id,
        keyName: apiAccessKeys.name,
        action: auditEvents.action,
        subjectType: auditEvents.subjectType,
        subjectId: auditEvents.subjectId,
        comment: auditEvents.comment,
        ip: auditEvents.ip,
        data: auditEvents.data,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .leftJoin(apiAccessKeys, eq(apiAccessKeys.serviceUserId, users.id))
      .where(
        and(
          auditWhere(query as AuditFilters),
          after ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${after.v}::timestamptz, ${after.id})` : undefined,
        ),
      )
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(query.limit + 1);
    const result = page(rows, query.limit, (r): Cursor => ({ v: r.at, id: r.id }));
    const items = result.items.map((r) => ({
      id: String(r.id),
      createdAt: r.createdAt,
      actor: actorView(r),
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      comment: r.comment,
      ip: r.ip,
      data: r.data,
    }));
    return ok({ items, next: result.next }, linkHeader(request, result.next));
  },
});

export const exportAuditEvents = defineOperation({
  operationId: "exportAuditEvents",
  method: "GET",
  path: "/audit-events/export",
  tag: "Audit",
  summary: "Export audit events as CSV",
  description: "The filtered audit log as one CSV stream (the audit page's export): every matching event, newest first, in constant memory.",
  roles: DIRECTORY,
  query: filterQuery,
  responses: {
    200: {
      description: "CSV with the columns id, when, who, action, subject_type, subject_id, comment, from, data.",
      contentType: "text/csv",
      schema: z.string(),
      headers: { "Content-Disposition": "attachment; filename=\"portico-audit-<date>.csv\"" },
    },
  },
  handler: async ({ db, actor, query }) => ({
    status: 200,
    stream: auditCsvStream(db, db.$client, actor, query as AuditFilters),
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${auditCsvFilename()}"` },
  }),
});

export const auditOperations = [listAuditEvents, exportAuditEvents];
