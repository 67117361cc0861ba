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
 * What a part's line says: "approved by" Omar Owner, "waiting for its owner", "revoked by" …, with
 * the person apart from the words so the page can isolate a name its owner typed (<bdi>).
 * Null where the request's own status says it all (denied, cancelled, or decided before parts
 * were recorded one by one).
 */
export function partWords(
  part: Pick<PartState, "approvedBy" | "revokedBy" | "revokedById" | "approvedById">,
  status: RequestStatus,
): { words: string; actor: string | null } | null {
  const approved = { words: "approved by", actor: part.approvedBy ?? "an approver" };
  if (part.revokedById) return { words: "revoked by", actor: part.revokedBy ?? "an approver" };
  if (status === "pending") return part.approvedById ? approved : { words: "waiting for its owner", actor: null };
  if (status === "denied" || status === "cancelled") return null;
  return part.approvedById ? approved : null;
}
