import { z } from "zod";
import { SINGLE_LINE_MESSAGE, isPlainText, isSingleLine } from "@/lib/validation";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";
import { MAX_OPENAPI_LENGTH } from "./openapi";

// Must match the slugs proxy.ts lets through to /apis/<slug>.
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;
const TAG_PATTERN = /^[a-z0-9][a-z0-9-]{0,29}$/;
export const MAX_TAGS = 10;


/** A form sends one checkbox value as a string, several as an array, none as nothing. */
const stringList = (v: unknown) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]);

const uuid = z.uuid({ error: "That plan does not exist. Reload the page and choose again." });

/** The one schema for a product's editable fields: the form shows its messages, the server enforces it. */
export const productSchema = z.object({
  name: z
    .string({ error: "Give the product a name." })
    .trim()
    .min(1, "Give the product a name.")
    .max(80, "Keep the name under 80 characters.")
    .refine(isSingleLine, SINGLE_LINE_MESSAGE),
  slug: z
    .string({ error: "Choose a slug for the product's address." })
    .trim()
    .min(1, "Choose a slug for the product's address.")
    .max(100, "Keep the slug under 100 characters.")
    .regex(SLUG_PATTERN, "Use lowercase letters, digits and hyphens, starting with a letter or digit."),
  summary: z
    .string({ error: "Write a one-line summary." })
    .trim()
    .max(200, "Keep the summary under 200 characters.")
    .refine(isSingleLine, "Write the summary as one line of plain text (no line breaks or invisible control characters).")
    .default(""),
  description: z
    .string({ error: "Write the description as Markdown text." })
    .trim()
    .max(50_000, "Keep the description under 50,000 characters.")
    .refine(isPlainText, "Remove the invisible control characters.")
    .default(""),
  tags: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean)
        : v === undefined || v === null
          ? []
          : v,
    z
      .array(
        z.string({ error: "Separate tags with commas." }).regex(TAG_PATTERN, "Tags are short words of lowercase letters, digits and hyphens, separated by commas."),
        { error: "Separate tags with commas." },
      )
      .max(MAX_TAGS, `Use at most ${MAX_TAGS} tags.`)
      .transform((tags) => [...new Set(tags)]),
  ),
  authMethod: z.enum(["api_key", "oauth2"], { error: "Choose API key or OAuth 2.0." }),
  planIds: z.preprocess(
    stringList,
    z
      .array(uuid, { error: "Choose plans from the list." })
      .max(50, "Offer at most 50 plans.")
      .transform((ids) => [...new Set(ids)]),
  ),
  openapi: z
    .string({ error: "Paste the OpenAPI document as text." })
    .max(MAX_OPENAPI_LENGTH, `The document is over ${MAX_OPENAPI_LENGTH.toLocaleString("en")} characters. Remove unused parts or examples.`)
    .refine((s) => !s.includes("\u0000"), "Remove the invisible control characters.")
    .transform((s) => (s.trim() === "" ? null : s))
    .optional()
    .transform((s) => s ?? null),
});

export type ProductInput = z.input<typeof productSchema>;
export type ProductFields = z.output<typeof productSchema>;

export const productIdSchema = z.uuid({ error: "This product was not found. It may have been deleted." });

export const productStatusChangeSchema = z.object({
  id: productIdSchema,
  change: z.enum(["publish", "unpublish", "archive", "restore"], { error: "Choose publish, unpublish, archive or restore." }),
  // Archive only: the confirmation's "Also revoke …" checkbox.
  revokeKeys: z
    .enum(["on"])
    .optional()
    .transform((v) => v === "on"),
});
export type ProductStatusChange = z.output<typeof productStatusChangeSchema>["change"];

/** Domain functions parse again, so any caller gets the same field messages and nothing written. */
export function parseProductFields(input: unknown): ProductFields {
  const parsed = productSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}

/** The same for any other product input: the field messages as a DomainError, nothing written. */
export function parseProductInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}
