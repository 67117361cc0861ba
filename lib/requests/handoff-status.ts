import type { PlanSnapshot, RequestStatus } from "@/db/schema";

/** When an External plan's request stops waiting for its third party (lib/requests/handoff-fallback.ts). */
export const handoffTimeoutAt = (submittedAt: Date, timeoutHours: number) => new Date(submittedAt.getTime() + timeoutHours * 3_600_000);

/** Plain data (ISO times), so server pages can hand it to client tables. */
export type HandoffStatus =
  | { state: "waiting"; endpointName: string; timeoutAt: string }
  | { state: "fell_back"; endpointName: string; fellBackAt: string }
  | null;

/**
 * Where a pending request on an External plan stands: waiting for the endpoint's third party, or
 * fallen back to manual approval. null for any other request, or once it is decided.
 */
export function handoffStatus(r: { status: RequestStatus; plan: Pick<PlanSnapshot, "handoff">; createdAt: Date; handoffFallbackAt: Date | null }): HandoffStatus {
  const handoff = r.plan.handoff;
  if (!handoff || r.status !== "pending") return null;
  if (r.handoffFallbackAt) return { state: "fell_back", endpointName: handoff.endpointName, fellBackAt: r.handoffFallbackAt.toISOString() };
  return { state: "waiting", endpointName: handoff.endpointName, timeoutAt: handoffTimeoutAt(r.createdAt, handoff.timeoutHours).toISOString() };
}
