import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { portalBranding } from "@/db/schema";
import { type Branding, DEFAULT_BRANDING, type LogoType } from "./defaults";

/** The brand as saved, each unset field Portico's default. Uncached: jobs, emails and tests. */
export async function readBranding(db: Queryable): Promise<Branding> {
  const [row] = await db
    .select({
      name: portalBranding.name,
      headline: portalBranding.headline,
      accent: portalBranding.accent,
      logoType: portalBranding.logoType,
      footerLinks: portalBranding.footerLinks,
      updatedAt: portalBranding.updatedAt,
    })
    .from(portalBranding)
    .where(eq(portalBranding.id, true));
  if (!row) return DEFAULT_BRANDING;
  return {
    name: row.name || DEFAULT_BRANDING.name,
    headline: row.headline || DEFAULT_BRANDING.headline,
    accent: row.accent || DEFAULT_BRANDING.accent,
    logoType: (row.logoType as LogoType | null) ?? null,
    footerLinks: row.footerLinks ?? [],
    version: String(row.updatedAt.getTime()),
  };
}

/** The logo's bytes and type, or null when the name is the logo. */
export async function readLogo(db: Queryable): Promise<{ bytes: Buffer; type: LogoType } | null> {
  const [row] = await db
    .select({ logo: portalBranding.logo, logoType: portalBranding.logoType })
    .from(portalBranding)
    .where(eq(portalBranding.id, true));
  if (!row?.logo || !row.logoType) return null;
  return { bytes: row.logo, type: row.logoType as LogoType };
}
