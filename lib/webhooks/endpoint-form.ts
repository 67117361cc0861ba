import { z } from "zod";
import { endpointInput } from "./endpoint-schema";
import { WEBHOOK_EVENT_TYPES } from "./event-types";

/** What the Add and Edit forms hold (endpointInput's shape; the resolver parses with endpointInput). */
export type EndpointFormValues = {
  name: string;
  description: string;
  url: string;
  eventTypes: "all" | string[];
  productIds: "all" | string[];
  enabled: boolean;
};

export const endpointFormDefaults = (): EndpointFormValues => ({ name: "", description: "", url: "", eventTypes: "all", productIds: "all", enabled: true });

/** "all", or the chosen ids as JSON text (how the form posts a list in one FormData field). */
const listOrAll = (value: unknown) => {
  if (typeof value !== "string" || value === "all") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
};
const flag = (value: unknown) => (value === undefined ? undefined : value === "true" || value === "on" || value === true);

const endpointId = z.guid("This webhook endpoint does not exist. Go back to the list of webhooks.");

/** The Add action reads FormData with this; the domain function (manage.ts) parses with endpointInput again. */
export const endpointFormData = endpointInput.extend({
  eventTypes: z.preprocess(listOrAll, endpointInput.shape.eventTypes),
  productIds: z.preprocess(listOrAll, endpointInput.shape.productIds),
  enabled: z.preprocess(flag, z.boolean().default(true)),
});
export const editEndpointFormData = endpointFormData.extend({ id: endpointId });

export const endpointIdForm = z.object({ id: endpointId });
export const enableEndpointForm = z.object({ id: endpointId, enabled: z.enum(["true", "false"], { error: "Choose enable or disable." }).transform((v) => v === "true") });
export const resendForm = z.object({ id: endpointId, deliveryId: z.guid("This message is not in the log any more. Reload the page.") });

// A datetime-local field ("2026-12-01T09:30"): read as UTC, like every time the admin pages show.
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
export const recoverForm = z.object({
  id: endpointId,
  since: z
    .string({ error: "Enter a date and time (UTC)." })
    .regex(LOCAL_DATE_TIME, "Enter a date and time (UTC), e.g. 2026-12-01 09:30.")
    .transform((v) => new Date(`${v}Z`))
    // year 0000 parses in JavaScript but Postgres has no year 0 (a database error, not a field error)
    .refine((d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1, "Enter a real date and time (UTC)."),
});

/** The event types grouped as the form shows them: access requests, keys, OAuth clients, products. */
export const EVENT_GROUPS = [
  { label: "Access requests", prefix: "access_request." },
  { label: "Keys", prefix: "key." },
  { label: "OAuth 2.0 clients", prefix: "oauth_client." },
  { label: "Products", prefix: "product." },
].map((g) => ({ ...g, types: Object.entries(WEBHOOK_EVENT_TYPES).filter(([t]) => t.startsWith(g.prefix)).map(([type, description]) => ({ type, description })) }));
