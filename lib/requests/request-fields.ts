import { z } from "zod";
import { noNul } from "@/lib/validation";
import type { RequestField } from "@/db/schema";

export const MAX_FIELD_LENGTH = 2000;

/** The zod schema for a plan's request fields; the cart form and the server build it from the same plan. */
export function requestFieldsSchema(fields: readonly RequestField[]) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const field of fields) {
    let s: z.ZodType<string | undefined>;
    if (field.type === "select") {
      const options = field.options ?? [];
      const base = z
        .string({ error: `Choose a value for “${field.label}”.` })
        .refine((v) => v !== "", `Choose a value for “${field.label}”.`)
        .refine((v) => v === "" || options.includes(v), `Choose one of the listed values for “${field.label}”.`);
      s = field.required ? base : z.union([z.literal("").transform(() => undefined), base]).optional();
    } else {
      const base = z
        .string({ error: `“${field.label}” must be text.` })
        .trim()
        .max(MAX_FIELD_LENGTH, `Keep “${field.label}” under ${MAX_FIELD_LENGTH} characters.`)
        .refine(noNul, `Remove the invisible control characters from “${field.label}”.`);
      s = field.required
        ? base.min(1, `Fill in “${field.label}”.`)
        : base.optional().transform((v) => (v ? v : undefined));
    }
    // A missing answer reads as an empty one, so "required" says "fill in" rather than "must be text".
    shape[field.key] = z.preprocess((v) => (v === undefined || v === null ? "" : v), s);
  }
  return z.object(shape);
}

/** Checks answers against a plan's fields; refusals are keyed as the form names them (`field.<key>`). */
export function parseRequestFields(fields: readonly RequestField[], answers: Record<string, unknown>) {
  const parsed = requestFieldsSchema(fields).safeParse(answers);
  if (parsed.success) return { ok: true as const, data: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[`field.${issue.path.join(".")}`] ??= issue.message;
  return { ok: false as const, fieldErrors };
}

/** Drops empty answers so the stored object holds only what was given. */
export function cleanAnswers(answers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(answers).filter((e): e is [string, string] => Boolean(e[1])));
}
