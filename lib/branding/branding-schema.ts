import { z } from "zod";
import { SINGLE_LINE_MESSAGE, isSingleLine } from "@/lib/validation";
import { accentProblem } from "./contrast";

export const MAX_FOOTER_LINKS = 6;

/** https://… or a path on this portal (/docs); never javascript:, data:, http: or //host. */
export function footerHrefProblem(href: string): string | null {
  // Browsers drop tabs and line breaks from a URL: "/\t/evil.example" would be followed as //evil.example.
  if (/\p{Cc}/u.test(href)) return "Remove the tabs, line breaks or invisible control characters from the address.";
  if (href.startsWith("/") && !href.startsWith("//") && !href.startsWith("/\\")) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return "Use an address starting with https:// or a path on this portal starting with /.";
  }
  if (url.protocol !== "https:") return `A footer link must start with https:// or /; ${url.protocol} links are not allowed.`;
  return null;
}

const line = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} is at most ${max} characters.`)
    .refine(isSingleLine, SINGLE_LINE_MESSAGE);

export const footerLinkSchema = z.object({
  label: line(40, "A link's label").min(1, "Give the link a label."),
  href: z
    .string()
    .trim()
    .min(1, "Give the link an address.")
    .max(500, "A link's address is at most 500 characters.")
    .superRefine((href, ctx) => {
      const problem = footerHrefProblem(href);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

/** The brand's text fields, shared by the admin form and saveBranding. */
export const brandingFieldsSchema = z.object({
  name: line(40, "The portal name").min(1, "Give the portal a name."),
  headline: line(160, "The headline"),
  accent: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^#[0-9a-f]{6}$/, "Write the accent as #rrggbb, for example #4f46e5.")
    .superRefine((hex, ctx) => {
      const problem = accentProblem(hex);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  footerLinks: z.array(footerLinkSchema).max(MAX_FOOTER_LINKS, `At most ${MAX_FOOTER_LINKS} footer links.`),
});

export type BrandingFields = z.input<typeof brandingFieldsSchema>;

const asList = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

/**
 * The admin form's FormData: footer links as parallel `linkLabel`/`linkHref` fields (blank rows
 * dropped), the logo as `logo` = keep | remove | replace with the file base64 in `logoData`.
 */
export const brandingFormSchema = z
  .object({
    name: z.string().default(""),
    headline: z.string().default(""),
    accent: z.string().default(""),
    linkLabel: z.preprocess(asList, z.array(z.string())),
    linkHref: z.preprocess(asList, z.array(z.string())),
    logo: z.enum(["keep", "remove", "replace"]).default("keep"),
    logoData: z.string().max(400_000, "The logo is larger than 200 KB.").default(""),
    logoName: z.string().max(200).default(""),
  })
  .transform((f) => ({
    name: f.name,
    headline: f.headline,
    accent: f.accent,
    footerLinks: f.linkLabel
      .map((label, i) => ({ label, href: f.linkHref[i] ?? "" }))
      .filter((l) => l.label.trim() !== "" || l.href.trim() !== ""),
    logo:
      f.logo === "replace"
        ? { bytes: new Uint8Array(Buffer.from(f.logoData, "base64")), filename: f.logoName || undefined }
        : f.logo,
  }));
