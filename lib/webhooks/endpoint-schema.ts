import { z } from "zod";
import { isWebhookEventType } from "./event-types";

const noNul = (s: string) => !s.includes("\u0000");
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0020\u007f]/;

/** What an admin enters for an endpoint (the form and the domain function share it). */
export const endpointInput = z.object({
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name, e.g. Billing system.")
    .max(80, "Use at most 80 characters.")
    .refine(noNul, "Remove the control characters."),
  description: z.string().trim().max(500, "Use at most 500 characters.").refine(noNul, "Remove the control characters.").default(""),
  url: z
    .string({ error: "Enter the URL events are posted to." })
    .trim()
    .min(1, "Enter the URL events are posted to.")
    .max(2000, "Use a URL of at most 2,000 characters.")
    // the URL parser drops tabs and line breaks silently, so the saved text would not be the target
    .refine((s) => !CONTROL.test(s), "Remove the spaces, line breaks or control characters from the URL."),
  eventTypes: z.union([
    z.literal("all"),
    z
      .array(z.string())
      .min(1, "Choose at least one event, or All events.")
      .max(50)
      .refine((types) => types.every(isWebhookEventType), "Choose events from the list."),
  ], { error: "Choose All events or some events." }),
  productIds: z.union([z.literal("all"), z.array(z.string().max(100).refine(noNul, "Choose products from the list.")).min(1, "Choose at least one product, or All products.").max(500)], {
    error: "Choose All products or some products.",
  }),
  enabled: z.boolean().default(true),
});
export type EndpointInput = z.input<typeof endpointInput>;
