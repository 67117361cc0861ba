import type { PlanSnapshot, RequestStatus } from "@/db/schema";

/** When an External plan's request stops waiting for its third party (lib/requests/handoff-fallback.ts). */
export const handoffTimeoutAt = (submittedAt: Date, timeoutHours: number) => new Date(submittedAt.getTime() + timeoutHours * 3_600_000);

export type HandoffStatus =
  | { state: "waiting"; endpointName: string; timeoutAt: Date }
  | { state: "fell_back"; endpointName: string; fellBackAt: Date }
  | null;

/**
 * Where a pending request on an External plan stands: waiting for the endpoint's third party, or
 * fallen back to manual approval. null for any other request, or once it is decided.
 */
export function handoffStatus(r: { status: RequestStatus; plan: PlanSnapshot; createdAt: Date; handoffFallbackAt: Date | null }): HandoffStatus {
  const handoff = r.plan.handoff;
  if (!handoff || r.status !== "pending") return null;
  if (r.handoffFallbackAt) return { state: "fell_back", endpointName: handoff.endpointName, fellBackAt: r.handoffFallbackAt };
  return { state: "waiting", endpointName: handoff.endpointName, timeoutAt: handoffTimeoutAt(r.createdAt, handoff.timeoutHours) };
}
