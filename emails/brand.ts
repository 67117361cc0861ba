/**
 * The portal's brand as an email shows it (lib/mail/email-brand.ts fills it in when a message is
 * rendered): its name, accent (the button colour; AA with white, checked when saved) and logo.
 */
export type EmailBrand = {
  name: string;
  accent: string;
  /** An absolute address of the logo, only for a PNG: most mail clients do not show SVG images. */
  logoUrl: string | null;
};

export const DEFAULT_EMAIL_BRAND: EmailBrand = { name: "Portico", accent: "#4f46e5", logoUrl: null };

/** Props every template takes besides its own: filled in by lib/mail, never by the sender. */
export type Branded = {
  brand?: EmailBrand;
  /** The recipient's display name when their address belongs to an account that has one. */
  recipientName?: string | null;
};

export const brandName = (p: Branded) => p.brand?.name ?? DEFAULT_EMAIL_BRAND.name;
