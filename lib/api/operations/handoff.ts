import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { REFERENCE_LIFETIME_SECONDS, type ReferenceCheck, verifyHandoffReference } from "@/lib/webhooks/handoff-reference";
import { defineOperation, ok } from "../operation";
import { accessRequestSchema, requestFor } from "./access-requests";

const READ = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
const HOURS = REFERENCE_LIFETIME_SECONDS / 3600;

const REFUSED: Record<Exclude<ReferenceCheck, { ok: true }>["reason"], string> = {
  malformed: "This is not a Portico hand-off reference. Pass the `portico_reference` query parameter exactly as the consumer's browser brought it.",
  invalid: "This reference was not issued by this portal for a hand-off, or it was changed on the way. Pass `portico_reference` exactly as the consumer's browser brought it.",
  expired: `This reference expired (references last ${HOURS} hours). The consumer gets a fresh one with Continue on their request's page in the portal.`,
};

export const verifyHandoffReferenceOp = defineOperation({
  operationId: "verifyHandoffReference",
  method: "POST",
  path: "/handoff-references/verify",
  tag: "Access requests",
  summary: "Verify a hand-off reference",
  description: `A plan with a redirect URL sends the consumer there after they submit, with \`portico_reference\` (a signed reference to their request, valid ${HOURS} hours) and \`portico_request\` (its id) in the query. Exchange the reference for the request it names: this proves the portal sent this consumer for this request. Then confirm it with POST /access-requests/{requestId}/approve, or end it with POST /access-requests/{requestId}/cancel. A reference that is malformed, changed, for another portal or expired is a 422; a request outside this key's scope is a 404. The reference is not a secret and grants nothing by itself.`,
  roles: READ,
  body: z
    .object({ reference: z.string().trim().min(1, "Send the `portico_reference` value.").max(4096, "A reference is shorter than 4,096 characters.") })
    .meta({ id: "HandoffReference" }),
  responses: {
    200: {
      description: "The request the reference names, as this key sees it.",
      schema: z
        .object({
          request: accessRequestSchema,
          expiresAt: z.iso.datetime().meta({ description: "When the reference stops verifying." }),
        })
        .meta({ id: "VerifiedHandoffReference" }),
    },
  },
  handler: async ({ db, actor, body, baseUrl }) => {
    const check = await verifyHandoffReference(db, body.reference, { issuer: baseUrl });
    if (!check.ok) throw new DomainError("invalid", REFUSED[check.reason], { reference: REFUSED[check.reason] });
    const request = await requestFor(db, actor, check.reference.requestId);
    // the portal signed these together; a mismatch would mean the request was re-pointed since
    if (request?.app.id !== check.reference.appId || request.plan.id !== check.reference.planId) {
      throw new DomainError("invalid", REFUSED.invalid, { reference: REFUSED.invalid });
    }
    return ok({ request, expiresAt: check.reference.expiresAt.toISOString() });
  },
});

export const handoffOperations = [verifyHandoffReferenceOp];
