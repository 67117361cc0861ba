import { z } from "zod";

// Query strings are user input: clamp, never throw.
const schema = z.object({
  q: z.string().trim().max(200).catch(""),
  tag: z
    .string()
    .trim()
    .max(50)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
});

export function parseCatalogueParams(raw: Record<string, string | string[] | undefined>) {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return schema.parse({ q: first(raw.q) ?? "", tag: first(raw.tag) });
}
