import { z } from "zod";
import { NUL_MESSAGE, noNul } from "@/lib/validation";

const emptyAsMissing = (v: unknown) => (v === "" ? undefined : v);

/** The cart's submit form, shared by the form and the server action. Plan fields arrive as `field.<key>`. */
export const submitRequestSchema = z
  .object({
    appId: z.union([z.literal(""), z.uuid("Choose one of your apps.")]).optional(),
    newAppName: z.string().trim().max(80, "Keep the app name under 80 characters.").refine(noNul, NUL_MESSAGE).optional(),
    reason: z
      .string({ error: "Tell the API owners why you need access." })
      .trim()
      .min(1, "Tell the API owners why you need access.")
      .max(2000, "Keep the reason under 2,000 characters.")
      .refine(noNul, NUL_MESSAGE),
    // An empty field is "not given"; anything else is checked with its own message (a union of ""
    // and the checked value answered a bad value with zod's bare "Invalid input").
    startsAt: z.preprocess(
      emptyAsMissing,
      z.iso.datetime({ local: true, error: "Enter a date and time, or leave it empty for now." }).optional(),
    ),
    durationDays: z.preprocess(
      emptyAsMissing,
      z.coerce
        .number({ error: "Enter a number of days." })
        .int("Enter a whole number of days.")
        .min(1, "Ask for at least 1 day.")
        .max(3650, "Ask for at most 3,650 days.")
        .optional(),
    ),
  })
  .superRefine((v, ctx) => {
    if (!v.appId && !v.newAppName) {
      // "+ Create a new app" sends an empty appId: the missing piece is the new app's name.
      if (v.appId === "") ctx.addIssue({ code: "custom", path: ["newAppName"], message: "Give your new app a name." });
      else ctx.addIssue({ code: "custom", path: ["appId"], message: "Choose one of your apps, or name a new one." });
    }
  });

export type SubmitRequestInput = z.output<typeof submitRequestSchema>;

/** `field.<key>` entries of the submitted form. */
export function fieldAnswersFrom(input: Record<string, unknown>): Record<string, unknown> {
  // No prototype: a key named "field.__proto__" must stay an ordinary (unknown) key.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(input)) if (k.startsWith("field.")) out[k.slice(6)] = v;
  return out;
}
