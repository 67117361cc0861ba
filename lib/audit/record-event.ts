import type { Queryable } from "@/db/connect";
import { auditEvents } from "@/db/schema";
import { emitWebhookEvents, occurrencesForAudit } from "@/lib/webhooks/emit";
import { auditIp, auditSteppedUpAt } from "./context";

export type AuditInput = {
  actorId: string | null;
  actorType?: "user" | "system" | "auto-approve";
  action: string;
  subjectType: "request" | "app" | "product" | "plan" | "key" | "user" | "api_access_key" | "webhook_endpoint" | "setting";
  subjectId: string;
  comment?: string | null;
  ip?: string | null;
  data?: Record<string, unknown>;
};

/**
 * Appends an audit event on the caller's transaction, so it commits with the change it describes;
 * a lifecycle event is also a webhook event, recorded with its deliveries on the same transaction.
 */
export async function recordEvent(tx: Queryable, event: AuditInput) {
  await recordEvents(tx, [event]);
}

/** Several audit events in one statement (bulk decisions), with their webhook events. */
export async function recordEvents(tx: Queryable, events: readonly AuditInput[]) {
  if (events.length === 0) return;
  const ip = auditIp();
  // Events of a privileged action record the second-factor code it was allowed with.
  const steppedUpAt = auditSteppedUpAt();
  const stepUp = steppedUpAt ? { stepUp: { at: steppedUpAt.toISOString() } } : {};
  await tx.insert(auditEvents).values(
    events.map((event) => ({
      actorId: event.actorId,
      actorType: event.actorType ?? "user",
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      comment: event.comment ?? null,
      ip: event.ip ?? ip,
      data: { ...event.data, ...stepUp },
    })),
  );
  await emitWebhookEvents(tx, occurrencesForAudit(events));
}
