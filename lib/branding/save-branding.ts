import { sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { portalBranding } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { type BrandingFields, brandingFieldsSchema } from "./branding-schema";
import { type LogoUpload, checkLogo } from "./logo";

export type SaveBrandingInput = BrandingFields & {
  /** keep the current logo, remove it (the name becomes the logo), or replace it with an upload */
  logo: "keep" | "remove" | LogoUpload;
};

/**
 * Saves the portal's brand (admins only): name, headline, accent (AA with white), footer links and
 * the logo, with its audit event, in one transaction. Every instance hears the change
 * (portal_branding is one of the catalogue tables) and drops its cached brand.
 */
export async function saveBranding(db: Database, actor: Actor, input: SaveBrandingInput) {
  assertCan(actor, "branding.admin", null);
  const parsed = brandingFieldsSchema.safeParse(input);
  const fieldErrors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] === "footerLinks" && issue.path.length > 1 ? `footerLinks.${issue.path.slice(1).join(".")}` : String(issue.path[0] ?? "form");
      fieldErrors[key] ??= issue.message;
    }
  }
  let logo: { bytes: Buffer | null; type: string | null } | null = null;
  if (input.logo === "remove") logo = { bytes: null, type: null };
  else if (input.logo !== "keep") {
    const checked = checkLogo(input.logo);
    if (checked.ok) logo = { bytes: checked.bytes, type: checked.type };
    else fieldErrors.logo = checked.message;
  }
  if (!parsed.success || Object.keys(fieldErrors).length > 0) {
    const first = Object.values(fieldErrors)[0] ?? "Check the highlighted fields.";
    throw new DomainError("invalid", first, fieldErrors);
  }
  const { name, headline, accent, footerLinks } = parsed.data;
  const values = {
    name,
    headline: headline || null,
    accent,
    footerLinks,
    updatedBy: actor.id,
    updatedAt: sql`now()`,
    ...(logo ? { logo: logo.bytes, logoType: logo.type } : {}),
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(portalBranding)
      .values({ id: true, ...values })
      .onConflictDoUpdate({ target: portalBranding.id, set: values });
    await recordEvent(tx, {
      actorId: actor.id,
      action: "branding.updated",
      subjectType: "setting",
      subjectId: "branding",
      data: {
        name,
        headline,
        accent,
        footerLinks,
        logo: input.logo === "keep" ? "kept" : input.logo === "remove" ? "removed" : { type: logo?.type, bytes: logo?.bytes?.byteLength },
      },
    });
  });
}
