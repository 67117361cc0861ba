import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { LOGO_PATH } from "@/lib/branding/defaults";
import { readBranding } from "@/lib/branding/read-branding";
import { BrandingForm } from "./branding-form";

export const metadata: Metadata = { title: "Branding" };

export default async function BrandingPage() {
  await requireRole(["admin"], "/admin/branding");
  // Uncached: the form starts from what is saved right now.
  const brand = await readBranding(db);
  return (
    <>
      <PageHeader
        title="Branding"
        description="Your portal's name, logo, accent colour, home-page headline and footer links. They appear in the header, the browser tab, the footer and every email."
      />
      <BrandingForm
        initial={{
          name: brand.name,
          headline: brand.headline,
          accent: brand.accent,
          footerLinks: brand.footerLinks,
          logoUrl: brand.logoType ? `${LOGO_PATH}?v=${brand.version}` : null,
        }}
      />
    </>
  );
}
