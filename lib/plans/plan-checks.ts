import { and, eq, ne, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans, webhookEndpoints } from "@/db/schema";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { targetPolicy } from "@/lib/webhooks/targets";
import { type PlanFields, planSchema } from "./plan-schema";

const nameTaken = () =>
  new DomainError("invalid", "Check the highlighted fields.", { name: "A plan with that name already exists. Choose another name." });

/** Domain functions parse again, so any caller gets the form's field messages and nothing written. */
export function parsePlan(input: unknown): PlanFields {
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  // The browser cannot know the server's setting; a consumer's browser is sent to this address.
  if (parsed.data.redirectUrl?.startsWith("http:") && !targetPolicy().allowHttp) {
    throw new DomainError("invalid", "Check the highlighted fields.", {
      redirectUrl: "Use an https:// URL (http is allowed only when PORTICO_WEBHOOK_ALLOW_HTTP=on).",
    });
  }
  return parsed.data;
}

const handoffProblem = (message: string) => new DomainError("invalid", "Check the highlighted fields.", { handoffEndpointId: message });

/**
 * An External plan's endpoint must exist, be enabled and receive access_request.created (the event
 * that tells its third party about a request). Checked when the endpoint is chosen; a plan whose
 * endpoint is disabled later still saves, and its new requests wait for people instead.
 */
export async function assertHandoffEndpoint(db: Queryable, endpointId: string | null, previousId: string | null) {
  if (!endpointId || endpointId === previousId) return;
  const [endpoint] = await db
    .select({ enabled: webhookEndpoints.enabled, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint) throw handoffProblem("That webhook endpoint no longer exists. Choose another one from the list.");
  if (!endpoint.enabled) throw handoffProblem("That webhook endpoint is disabled. Enable it under Admin → Webhooks, or choose another one.");
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes("access_request.created")) {
    throw handoffProblem("That endpoint does not receive access_request.created, so its third party would never hear of a request. Add the event to the endpoint, or choose another one.");
  }
}

/** Names are unique regardless of case, so "Free" and "free" never sit side by side in the catalogue. */
export async function assertNameFree(db: Queryable, name: string, exceptId: string | null) {
  const same = sql`lower(${plans.name}) = lower(${name})`;
  const [other] = await db
    .select({ id: plans.id })
    .from(plans)
    .where(exceptId ? and(same, ne(plans.id, exceptId)) : same)
    .limit(1);
  if (other) throw nameTaken();
}

/** A lost race on the unique index reads like the pre-check's answer. */
export const asNameTaken = (error: unknown): never => {
  if (isUniqueViolation(error, "plans_name_key")) throw nameTaken();
  throw error;
};

