import { z } from "zod";
import { isWebhookEventType } from "./event-types";

// A name is one line of text; a description may have tabs and line breaks but no other control characters.
const isControl = (code: number) => code < 0x20 || code === 0x7f;
const LINE_CODES = new Set([0x09, 0x0a, 0x0d]);
function noControl(s: string) {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return false;
  return true;
}
function noControlButLines(s: string) {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i)) && !LINE_CODES.has(s.charCodeAt(i))) return false;
  return true;
}
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0020\u007f]/;
const noNul = (s: string) => !s.includes("\u0000");

/** What an admin enters for an endpoint (the form and the domain function share it). */
export const endpointInput = z.object({
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name, e.g. Billing system.")
    .max(80, "Use at most 80 characters.")
    .refine(noControl, "Remove the control characters (line breaks, tabs, NUL)."),
  description: z.string().trim().max(500, "Use at most 500 characters.").refine(noControlButLines, "Remove the control characters.").default(""),
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
      .array(z.string({ error: "Choose events from the list." }))
      .min(1, "Choose at least one event, or All events.")
      .max(50, "Choose each event once, or All events.")
      .refine((types) => types.every(isWebhookEventType), "Choose events from the list."),
  ], { error: "Choose All events or some events." }),
  productIds: z.union([z.literal("all"), z.array(z.string({ error: "Choose products from the list." }).max(100, "Choose products from the list.").refine(noNul, "Choose products from the list.")).min(1, "Choose at least one product, or All products.").max(500)], {
    error: "Choose All products or some products.",
  }),
  enabled: z.boolean().default(true),
});
export type EndpointInput = z.input<typeof endpointInput>;
