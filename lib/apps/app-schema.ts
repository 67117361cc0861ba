import { z } from "zod";
import { SINGLE_LINE_MESSAGE, isPlainText, isSingleLine } from "@/lib/validation";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";

/** The one schema for an app's editable fields: the forms show its messages, the server enforces it. */
export const appSchema = z.object({
  name: z
    .string({ error: "Give your app a name." })
    .trim()
    .min(1, "Give your app a name.")
    .max(80, "Keep the name under 80 characters.")
    .refine(isSingleLine, SINGLE_LINE_MESSAGE),
  description: z
    .string({ error: "Describe your app in plain text." })
    .trim()
    .max(1000, "Keep the description under 1000 characters.")
    .refine(isPlainText, "Use plain text only.")
    .default(""),
});

export type AppInput = z.input<typeof appSchema>;
export type AppFields = z.output<typeof appSchema>;

export const appIdSchema = z.uuid({ error: "This app was not found. It may have been deleted." });

/**
 * Domain functions parse again, so an API route or job calling them gets the same refusal as the
 * form: a DomainError carrying the field messages, and nothing written.
 */
export function parseAppFields(input: unknown): AppFields {
  const parsed = appSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}
