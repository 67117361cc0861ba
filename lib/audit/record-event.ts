import type { Queryable } from "@/db/connect";
import { auditEvents } from "@/db/schema";
import { auditIp } from "./context";

export type AuditInput = {
  actorId: string | null;
  actorType?: "user" | "system" | "auto-approve";
  action: string;
  subjectType: "request" | "app" | "product" | "plan" | "key" | "user" | "api_access_key";
  subjectId: string;
  comment?: string | null;
  ip?: string | null;
  data?: Record<string, unknown>;
};

/** Appends an audit event on the caller's transaction, so it commits with the change it describes. */
export async function recordEvent(tx: Queryable, event: AuditInput) {
  await tx.insert(auditEvents).values({
    actorId: event.actorId,
    actorType: event.actorType ?? "user",
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    comment: event.comment ?? null,
    ip: event.ip ?? auditIp(),
    data: event.data ?? {},
  });
}
