import { z } from "zod";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";

// Control characters have no place in a name, Postgres refuses NUL in text outright, and a lone
// UTF-16 surrogate would be silently replaced on the way in: refusing them here turns a database
// error or a quietly altered name into a message beside the field.
const controlChars = /\p{Cc}/u;
const controlCharsExceptLineBreaks = /[^\P{Cc}\n\r\t]/u;
// Older browsers lack isWellFormed; the server always has it and checks again.
const wellFormed = (s: string) => s.isWellFormed?.() ?? true;

/** The one schema for an app's editable fields: the forms show its messages, the server enforces it. */
export const appSchema = z.object({
  name: z
    .string({ error: "Give your app a name." })
    .trim()
    .min(1, "Give your app a name.")
    .max(80, "Keep the name under 80 characters.")
    .refine((s) => wellFormed(s) && !controlChars.test(s), "Use letters, numbers, spaces and punctuation only."),
  description: z
    .string({ error: "Describe your app in plain text." })
    .trim()
    .max(1000, "Keep the description under 1000 characters.")
    .refine((s) => wellFormed(s) && !controlCharsExceptLineBreaks.test(s), "Use plain text only.")
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
