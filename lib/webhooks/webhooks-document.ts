import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types";
import { WEBHOOK_PAYLOAD_SCHEMAS, webhookMessageTypes } from "./payload-schema";
import { ATTEMPT_TIMEOUT_MS, DISABLE_AFTER_MS, PREVIOUS_SECRET_HOURS, RETENTION_DAYS, RETRY_DELAYS_MS } from "./schedule";

export const WEBHOOKS_TAG = "Webhooks";

/** 0 → "at once", 5000 → "5 s", 300000 → "5 min", 7200000 → "2 h". */
function delayWords(ms: number) {
  if (ms === 0) return "at once";
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

/**
 * What every receiver needs to know, once: signing, delivery guarantees, retries. No links: Scalar
 * renders a tag's description inside its disclosure button, and a link there is a nested control.
 */
export const WEBHOOKS_DESCRIPTION = [
  "Portico posts an event to each enabled webhook endpoint subscribed to its type (Admin → Webhooks), as JSON `{ id, type, timestamp, data }`.",
  "An endpoint limited to some products gets only the events about them (a request for several products reaches it when one of them is among its products).",
  "",
  "**Signing** follows the Standard Webhooks specification (`standardwebhooks.com`): `webhook-signature` holds `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the endpoint's secret (`whsec_…`, its base64 part is the key).",
  `Verify it with a Standard Webhooks library (e.g. npm \`standardwebhooks\`) on the raw body, and refuse a timestamp more than 5 minutes away. After a secret rotation the old secret keeps signing for ${PREVIOUS_SECRET_HOURS} h beside the new one (the header then carries two space-separated signatures; either verifies).`,
  "",
  "**Delivery is at least once**: a message may arrive more than once (a retry after a lost answer, a worker restarted mid-delivery). `webhook-id` (equal to the body's `id`) is the same on every retry of one event: deduplicate on it. Messages are not guaranteed to arrive in order; use `timestamp` and the state in `data`.",
  "",
  `**Retries**: any 2xx answer is success. A timeout (${ATTEMPT_TIMEOUT_MS / 1000} s), a network error, a redirect or any other status is retried on this schedule, each delay counted from the previous attempt: ${RETRY_DELAYS_MS.map(delayWords).join(", ")}.`,
  `An endpoint that fails for ${DISABLE_AFTER_MS / 86_400_000} days in a row is disabled; the admins are emailed a day before and when it happens. The delivery log (every attempt, kept ${RETENTION_DAYS} days) can resend one message or recover every failed one since a time.`,
  "",
  "A payload never carries a key, a claim link or a token; keys appear only by their first characters (`start`).",
].join("\n");

const signatureHeaders = z.object({
  "webhook-id": z.string().meta({ description: "The message id (`msg_…`), the body's `id`; the same on every retry. Deduplicate on it." }),
  "webhook-timestamp": z.string().regex(/^\d+$/).meta({ description: "Unix seconds when this attempt was signed." }),
  "webhook-signature": z
    .string()
    .meta({ description: "`v1,<base64 HMAC-SHA256>` (Standard Webhooks); two space-separated signatures during the 24 h after a secret rotation." }),
});

/** "A request was approved; its key waits…" → "A request was approved" (a summary is one line). */
const firstClause = (text: string) => (text.split(/[.:;](\s|$)/)[0] ?? text).replace(/\*\*/g, "");

const operationId = (type: string) => `on${type.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")}`;

/** The OpenAPI 3.1 `webhooks`: one entry per event type, named by the type. */
export function webhooksDocument(): ZodOpenApiPathsObject {
  const out: ZodOpenApiPathsObject = {};
  for (const type of webhookMessageTypes) {
    const what = type === TEST_EVENT_TYPE ? "Sent by **Send test event** in Admin → Webhooks, only to that endpoint." : WEBHOOK_EVENT_TYPES[type as WebhookEventType];
    const post: ZodOpenApiOperationObject = {
      operationId: operationId(type),
      summary: firstClause(what),
      description: `${what}\n\nSigned per Standard Webhooks; delivered at least once (deduplicate on \`webhook-id\`); retried until a 2xx answer. See the **${WEBHOOKS_TAG}** tag.`,
      tags: [WEBHOOKS_TAG],
      requestParams: { header: signatureHeaders },
      requestBody: { required: true, content: { "application/json": { schema: WEBHOOK_PAYLOAD_SCHEMAS[type] } } },
      responses: {
        "2XX": { description: "Received. Answer quickly (within 10 s) and process afterwards." },
        default: { description: "Anything else (or no answer within 10 s) is retried on the schedule." },
      },
    };
    out[type] = { post };
  }
  return out;
}
