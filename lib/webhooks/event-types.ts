/**
 * Every event Portico posts to webhook endpoints, with what it means. The audit actions that
 * produce them are mapped below (EVENT_FOR_AUDIT_ACTION); their payload schemas in lib/webhooks/payload-schema.ts.
 */
export const WEBHOOK_EVENT_TYPES = {
  "access_request.created": "A consumer (or an API key on their behalf) submitted an access request.",
  "access_request.approval_recorded": "One approver approved a request that needs more approvals (one of N).",
  "access_request.approved": "A request was approved; its key waits to be claimed.",
  "access_request.denied": "A request was denied.",
  "access_request.cancelled": "A request was cancelled: by its requester, by a third party through the API (POST /access-requests/{requestId}/cancel), or by Portico (the requester's account disabled, the app deleted).",
  "access_request.revoked": "A request's access was revoked: its key stopped working.",
  "access_request.part_revoked":
    "Access to some of a request's products was revoked (by their owner, or by archiving a product); the key keeps working for the others. `revokedProducts` names those revoked.",
  "access_request.expired": "A request's access ended at its expiry (or its claim window passed).",
  "access_request.completed": "The consumer gave up access (checked the key in).",
  "access_request.extended":
    "An extension of the request was approved: its current key (the same key) now expires later. The extension itself is a request of its own, created, approved or denied like any other.",
  "key.created": "A key was issued (never sent itself): the consumer claimed the request's key, or rolled it (then `key.rolled` names the key it replaced).",
  "key.rolled": "The consumer rolled the key: a new key replaces this one, which keeps working until `key.endsAt` (its grace period). `key.replacedBy` names the new key.",
  "key.revoked": "A key was revoked.",
  "key.expiring": "A key reached a day of its plan's expiry reminder schedule (30, 7, 1 and 0 days before by default); once per reminder.",
  "key.expired": "A key reached its expiry.",
  "oauth_client.created":
    "An OAuth 2.0 client was issued (never its secret): the consumer claimed an approved request for an OAuth 2.0 product.",
  "oauth_client.revoked":
    "An OAuth 2.0 client was revoked: the token endpoint refuses it and verify refuses its access tokens at once; a gateway validating tokens offline accepts them until they expire.",
  "product.published": "A product entered the catalogue.",
  "product.unpublished": "A product went back to draft and left the catalogue.",
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const webhookEventTypes = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[];
// own keys only: `in` also finds "constructor", "toString" and the rest of Object.prototype
export const isWebhookEventType = (t: string): t is WebhookEventType => Object.hasOwn(WEBHOOK_EVENT_TYPES, t);

/** Sent only by Send test event, only to the endpoint it was pressed for. */
export const TEST_EVENT_TYPE = "webhook.test";

/** Audit actions (lib/audit/record-event.ts) that are also webhook events. */
export const EVENT_FOR_AUDIT_ACTION: Record<string, WebhookEventType> = {
  "request.submitted": "access_request.created",
  "request.approval_recorded": "access_request.approval_recorded",
  "request.approved": "access_request.approved",
  "request.denied": "access_request.denied",
  "request.cancelled": "access_request.cancelled",
  "request.revoked": "access_request.revoked",
  "request.part_revoked": "access_request.part_revoked",
  "request.product_revoked": "access_request.part_revoked",
  "request.expired": "access_request.expired",
  "request.completed": "access_request.completed",
  "request.extended": "access_request.extended",
  "key.created": "key.created",
  "key.rolled": "key.rolled",
  "key.revoked": "key.revoked",
  "key.expired": "key.expired",
  "oauth_client.created": "oauth_client.created",
  "oauth_client.revoked": "oauth_client.revoked",
  "product.published": "product.published",
  "product.unpublished": "product.unpublished",
};
