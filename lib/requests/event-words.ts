import type { RequestStatus } from "@/db/schema";

/** How a request's timeline names its events, for requesters and approvers alike. */
const words: Record<string, string> = {
  "request.submitted": "Submitted",
  "request.extension_asked": "Asked for more time (an extension waits for approval)",
  "request.extended": "Extended: the same key expires later",
  "request.approval_recorded": "Approval recorded",
  "request.approved": "Approved",
  "request.denied": "Denied",
  "request.cancelled": "Cancelled",
  "request.revoked": "Revoked",
  "request.part_revoked": "Revoked for some products",
  "request.expired": "Expired",
  "request.completed": "Checked in",
  "request.resubmitted": "Resubmitted as a new request",
  "request.removed": "Removed from the list",
  "request.claim_link_sent": "New claim link sent",
  "request.reviewed": "Reviewed",
  "request.product_revoked": "Access to one product revoked (the product was archived)",
  "request.auto_approve_withheld": "Not approved automatically: an approver decides",
  "request.redirected": "Sent to a third party to confirm",
  "request.handoff_timed_out":
    "Fell back to manual approval: the third party did not decide in time",
  "key.rolled": "Key rolled (the old key works until its grace period ends)",
};

/**
 * "request.claim_link_sent" → "New claim link sent"; an action without words reads as itself, spaced.
 * `via` tells how a key was claimed (lib/keys/claim-own-key.ts marks Generate key "request-page");
 * `credential` "oauth_client": the claim created an OAuth 2.0 client, not a key.
 */
export function requestEventWords(action: string, via?: string | null, credential?: string | null) {
  if (action === "request.available") {
    const what = credential === "oauth_client" ? "OAuth client" : "Key";
    return via === "request-page"
      ? `${what} ${credential === "oauth_client" ? "created" : "generated"} on the request page`
      : `${what} claimed from the email link`;
  }
  return words[action] ?? action.replace(/^(request|key)\./, "").replaceAll("_", " ");
}

const STATES: readonly RequestStatus[] = [
  "approved",
  "available",
  "denied",
  "cancelled",
  "revoked",
  "expired",
  "completed",
];

/** The state an event moves its request into ("request.revoked" → revoked), or null for any other event. */
export function stateEnteredBy(action: string): RequestStatus | null {
  const name = action.startsWith("request.") ? action.slice("request.".length) : "";
  return (STATES as readonly string[]).includes(name) ? (name as RequestStatus) : null;
}
