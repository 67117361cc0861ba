import type { FooterLink } from "@/db/schema/branding";

export type { FooterLink };

/** The brand every page, the favicon and every email use; Portico's own until an admin saves one. */
export type Branding = {
  name: string;
  headline: string;
  accent: string;
  logoType: LogoType | null;
  footerLinks: FooterLink[];
  /** Changes with every save: part of the logo and icon addresses, so browsers fetch a new one. */
  version: string;
};

export type LogoType = "image/svg+xml" | "image/png";

export const DEFAULT_BRANDING: Branding = {
  name: "Portico",
  headline: "Find an API, ask for access, and get your key — all in one place.",
  accent: "#4f46e5",
  logoType: null,
  footerLinks: [],
  version: "0",
};

export const LOGO_PATH = "/brand/logo";
export const ICON_PATH = "/brand/icon";
