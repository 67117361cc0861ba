import { sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { type PlanSnapshot, accessRequests, webhookEndpoints } from "@/db/schema";
import { recordEvents } from "@/lib/audit/record-event";
import { enqueueNewRequestEmails } from "./new-request-emails";

const BATCH = 100;
const hours = (n: number | undefined) => (n === undefined ? "the plan's hand-off timeout" : `${n} ${n === 1 ? "hour" : "hours"}`);

/**
 * Pending requests on External plans whose third party did not decide within the plan's hand-off
 * timeout, or whose endpoint was removed or disabled since, fall back to manual approval: marked (a guarded UPDATE, so two workers never both take
 * one), audited and their approvers emailed, one transaction per batch. Runs every minute
 * (lib/jobs/start-worker.ts). Returns the ids that fell back.
 */
export async function fallBackHandoffs(db: Database, baseUrl: string, now = new Date()): Promise<string[]> {
  const all: string[] = [];
  for (;;) {
    const ids = await db.transaction(async (tx) => {
      // Also at once when the endpoint was removed or disabled meanwhile: its third party may never
      // hear of the request, and a timeout can be 30 days (people decide anyway; the key still can).
      const gone = sql`not exists (select 1 from ${webhookEndpoints} e where e.id = plan->'handoff'->>'endpointId' and e.enabled)`;
      const rows = await tx.execute<{ id: string; plan: PlanSnapshot; endpoint_gone: boolean }>(sql`
        update ${accessRequests} set handoff_fallback_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz
        where id in (
          select id from ${accessRequests}
          where status = 'pending' and handoff_fallback_at is null and plan ? 'handoff'
            and (created_at + make_interval(hours => (plan->'handoff'->>'timeoutHours')::int) <= ${now.toISOString()}::timestamptz or ${gone})
          order by created_at
          limit ${BATCH}
          for update skip locked
        )
        and status = 'pending' and handoff_fallback_at is null
        returning id, plan, ${gone} as endpoint_gone`);
      if (rows.length === 0) return [];
      await recordEvents(
        tx,
        rows.map((r) => ({
          actorId: null,
          actorType: "system" as const,
          action: "request.handoff_timed_out",
          subjectType: "request" as const,
          subjectId: r.id,
          // The requester reads this comment on their timeline: it names no endpoint (the requester's
          // pages say only "a third party", components/handoff-note.tsx); approvers have it in data.
          comment: r.endpoint_gone
            ? "The third party no longer receives requests: an approver decides."
            : `The third party did not decide within ${hours(r.plan.handoff?.timeoutHours)}: an approver decides.`,
          data: {
            endpointId: r.plan.handoff?.endpointId ?? null,
            endpointName: r.plan.handoff?.endpointName ?? null,
            timeoutHours: r.plan.handoff?.timeoutHours ?? null,
            ...(r.endpoint_gone ? { endpointGone: true } : {}),
          },
        })),
      );
      for (const r of rows) {
        const handoff = r.plan.handoff;
        await enqueueNewRequestEmails(tx, r.id, baseUrl, handoff ? { endpointName: handoff.endpointName, timeoutHours: handoff.timeoutHours, ...(r.endpoint_gone ? { endpointGone: true } : {}) } : undefined);
      }
      return rows.map((r) => r.id);
    });
    all.push(...ids);
    if (ids.length < BATCH) return all;
  }
}
