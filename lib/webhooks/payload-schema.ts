import { z } from "zod";
import { keyEndReason, oauthClientAuth, productStatus, requestStatus } from "@/db/schema";
import { actorViewFields } from "@/lib/audit/actor-view";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types";

/**
 * The JSON every webhook message carries, as zod: published in the OpenAPI document's `webhooks`
 * (lib/api/document.ts), one entry per event type. The producer is lib/webhooks/payload.ts +
 * emit.ts; lib/webhooks/events.test.ts drives every event type through the real domain functions
 * and validates what arrives against the published document. Receivers should ignore properties
 * they do not know: new ones may be added, none is removed or changes meaning without a new type.
 */

const instant = () => z.iso.datetime();

export const webhookRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(requestStatus.enumValues).meta({ description: "The request's status after the event." }),
    reason: z.string().meta({ description: "Why the consumer asked for access, in their words." }),
    createdAt: instant(),
    decidedAt: instant().nullable().meta({ description: "When it was approved or denied; null while pending." }),
    startsAt: instant().meta({ description: "When the access starts (the key works from then)." }),
    durationDays: z.number().int().nullable().meta({ description: "How long the access lasts from `startsAt`; null: the key never expires." }),
  })
  .meta({ id: "WebhookRequest", description: "An access request." });

export const webhookConsumerSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable() })
  .meta({ id: "WebhookConsumer", description: "The consumer who asked for access (the request's requester)." });

export const webhookRequestProductSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    revoked: z.boolean().meta({ description: "Access to this product of the request was revoked; the key no longer opens it." }),
  })
  .meta({ id: "WebhookRequestProduct", description: "One product of a request." });

const productRef = z.object({ id: z.string(), slug: z.string(), name: z.string() });

export const webhookHandoffSchema = z
  .object({
    endpointId: z.string().meta({ description: "The webhook endpoint the plan hands approval to." }),
    endpointName: z.string(),
    timeoutAt: instant().meta({ description: "If nothing decides the request by then, it falls back to manual approval." }),
    fellBackAt: instant().nullable().meta({ description: "When nothing had decided it in time and it went to the portal's approvers; null until then." }),
  })
  .meta({
    id: "WebhookHandoff",
    description: "Present when the plan's approval is External: the named third party is expected to approve or deny the request through the REST API.",
  });

export const webhookKeySchema = z
  .object({
    id: z.string(),
    start: z.string().meta({ description: "The key's first characters (`prefix_` + 4), as the consumer's key list shows them. The key itself is never sent." }),
    createdAt: instant(),
    expiresAt: instant().nullable().meta({ description: "null: the key never expires." }),
    endsAt: instant().nullable().meta({ description: "When it stopped (or, for a rolled key in its grace period, will stop) working; null while it works." }),
    endReason: z.enum(keyEndReason.enumValues).nullable().meta({ description: "Why it stopped working; null while it works." }),
    replacedBy: z
      .object({ id: z.string(), start: z.string() })
      .nullable()
      .meta({ description: "The key that replaced this one when it was rolled; null otherwise." }),
  })
  .meta({ id: "WebhookKey", description: "An API key's public facts. Never the key, a claim link or a token." });

export const webhookOAuthClientSchema = z
  .object({
    id: z.string(),
    clientId: z.string().meta({ description: "The client's public identifier (`pcl_…`), as the consumer's app page shows it. The secret is never sent." }),
    authMethod: z.enum(oauthClientAuth.enumValues).meta({ description: "How the client authenticates: its secret, or a registered public key (private_key_jwt)." }),
    createdAt: instant(),
    expiresAt: instant().nullable().meta({ description: "null: the client never expires." }),
    endsAt: instant().nullable().meta({ description: "When it stopped working; null while it works." }),
    endReason: z.enum(keyEndReason.enumValues).nullable().meta({ description: "Why it stopped working; null while it works." }),
  })
  .meta({ id: "WebhookOAuthClient", description: "An OAuth 2.0 client's public facts. Never its secret, a claim link or a token." });

export const webhookProductSchema = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), status: z.enum(productStatus.enumValues) })
  .meta({ id: "WebhookProduct", description: "A product of the catalogue." });

/** The REST API's audit actor, under its own name: a request body's schema is not a response's. */
export const webhookActorSchema = z.object(actorViewFields).meta({
  id: "WebhookActor",
  description: "Who caused the event: a person, a portal API access key, or Portico itself (auto-approve, expiry), as the REST API's audit log names them.",
});

const requestData = {
  request: webhookRequestSchema,
  app: z.object({ id: z.string(), name: z.string() }).meta({ description: "The consumer's app the access belongs to." }),
  consumer: webhookConsumerSchema,
  products: z.array(webhookRequestProductSchema),
  plan: z.object({ id: z.string(), name: z.string() }),
  actor: webhookActorSchema,
  comment: z.string().optional().meta({ description: "The comment or reason given with the change (a denial's or revocation's reason), when there was one." }),
  handoff: webhookHandoffSchema.optional(),
};

export const accessRequestEventDataSchema = z.object(requestData).meta({ id: "AccessRequestEventData", description: "An access request event's data." });

export const accessRequestCreatedEventDataSchema = z
  .object(requestData)
  .meta({ id: "AccessRequestCreatedEventData", description: "A new access request, with its hand-off when the plan's approval is External." });

export const accessRequestPartRevokedEventDataSchema = z
  .object({
    ...requestData,
    revokedProducts: z.array(productRef).min(1).meta({ description: "The products revoked by this change; the request's other products still work." }),
  })
  .meta({ id: "AccessRequestPartRevokedEventData", description: "A part revocation's data." });

export const keyEventDataSchema = z
  .object({ key: webhookKeySchema, ...requestData })
  .meta({ id: "KeyEventData", description: "A key event's data: the key's public facts and its request." });

export const oauthClientEventDataSchema = z
  .object({ client: webhookOAuthClientSchema, ...requestData })
  .meta({ id: "OAuthClientEventData", description: "An OAuth 2.0 client event's data: the client's public facts and its request." });

export const productEventDataSchema = z
  .object({
    product: webhookProductSchema,
    actor: webhookActorSchema,
  })
  .meta({ id: "ProductEventData", description: "A product event's data." });

export const webhookTestEventDataSchema = z
  .object({ endpoint: z.object({ id: z.string(), name: z.string() }), message: z.string() })
  .meta({ id: "WebhookTestEventData", description: "Sent by Send test event, only to the endpoint it was pressed for." });

const DATA_SCHEMAS = {
  "access_request.created": accessRequestCreatedEventDataSchema,
  "access_request.approval_recorded": accessRequestEventDataSchema,
  "access_request.approved": accessRequestEventDataSchema,
  "access_request.denied": accessRequestEventDataSchema,
  "access_request.cancelled": accessRequestEventDataSchema,
  "access_request.revoked": accessRequestEventDataSchema,
  "access_request.part_revoked": accessRequestPartRevokedEventDataSchema,
  "access_request.expired": accessRequestEventDataSchema,
  "access_request.completed": accessRequestEventDataSchema,
  "access_request.extended": accessRequestEventDataSchema,
  "key.created": keyEventDataSchema,
  "key.rolled": keyEventDataSchema,
  "key.revoked": keyEventDataSchema,
  "key.expiring": keyEventDataSchema,
  "key.expired": keyEventDataSchema,
  "oauth_client.created": oauthClientEventDataSchema,
  "oauth_client.revoked": oauthClientEventDataSchema,
  "product.published": productEventDataSchema,
  "product.unpublished": productEventDataSchema,
} satisfies Record<WebhookEventType, z.ZodType>;

/** "access_request.approval_recorded" → "AccessRequestApprovalRecordedEvent" (its component name). */
const componentName = (type: string) =>
  `${type
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("")}Event`;

function envelope<T extends string, D extends z.ZodType>(type: T, data: D, description: string) {
  return z
    .object({
      id: z.string().meta({ description: "The message id (`msg_…`), the same as the `webhook-id` header and the same on every retry: deduplicate on it." }),
      type: z.literal(type),
      timestamp: instant().meta({ description: "When the event happened." }),
      data,
    })
    .meta({ id: componentName(type), description });
}

export type WebhookMessageType = WebhookEventType | typeof TEST_EVENT_TYPE;

/** The whole message (`{ id, type, timestamp, data }`) of each event type, `webhook.test` included. */
export const WEBHOOK_PAYLOAD_SCHEMAS: Record<WebhookMessageType, z.ZodType> = {
  ...(Object.fromEntries(
    Object.entries(DATA_SCHEMAS).map(([type, data]): [string, z.ZodType] => [type, envelope(type, data, WEBHOOK_EVENT_TYPES[type as WebhookEventType])]),
  ) as Record<WebhookEventType, z.ZodType>),
  [TEST_EVENT_TYPE]: envelope(TEST_EVENT_TYPE, webhookTestEventDataSchema, "A test message: it says nothing about the portal's data."),
};

export const webhookMessageTypes = Object.keys(WEBHOOK_PAYLOAD_SCHEMAS) as WebhookMessageType[];
