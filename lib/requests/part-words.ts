import type { RequestStatus } from "@/db/schema";

/** One product of a request with who approved or revoked it (lib/requests/request-parts.ts reads them). */
export type PartState = {
  requestId: string;
  productId: string;
  productName: string;
  ownerId: string;
  approvedById: string | null;
  approvedBy: string | null;
  revokedById: string | null;
  revokedBy: string | null;
};

/**
 * What a part's line says: "approved by Omar Owner", "waiting for its owner", "revoked by …".
 * Null where the request's own status says it all (denied, cancelled, or decided before parts
 * were recorded one by one).
 */
export function partWords(part: Pick<PartState, "approvedBy" | "revokedBy" | "revokedById" | "approvedById">, status: RequestStatus) {
  if (part.revokedById) return `revoked by ${part.revokedBy ?? "an approver"}`;
  if (status === "pending") return part.approvedById ? `approved by ${part.approvedBy ?? "an approver"}` : "waiting for its owner";
  if (status === "denied" || status === "cancelled") return null;
  return part.approvedById ? `approved by ${part.approvedBy ?? "an approver"}` : null;
}
