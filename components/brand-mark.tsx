import { LOGO_PATH } from "@/lib/branding/defaults";
import { getBranding } from "@/lib/branding/get-branding";

/**
 * The portal's mark for the header: the uploaded logo (with the name beside it for people and
 * screen readers), else the name. Wrap it in the header's home link.
 */
export async function BrandMark() {
  const brand = await getBranding();
  return (
    <span className="inline-flex max-w-full min-w-0 items-center gap-2" data-testid="brand-mark" title={brand.name}>
      {brand.logoType ? (
        <img src={`${LOGO_PATH}?v=${brand.version}`} alt="" className="h-7 w-auto max-w-32 shrink-0 object-contain" />
      ) : null}
      <span className="min-w-0 truncate">{brand.name}</span>
    </span>
  );
}

/**
 * The accent as CSS variables for the whole page (`--brand-accent`, and `--brand-accent-fg`, the
 * text colour on it). Render once in the root layout, e.g. inside <head> or at the top of <body>.
 */
export async function BrandStyle() {
  const brand = await getBranding();
  // Saved accents are checked; this keeps anything else out of the style sheet all the same.
  const accent = /^#[0-9a-f]{6}$/i.test(brand.accent) ? brand.accent : "#4f46e5";
  return <style>{`:root{--brand-accent:${accent};--brand-accent-fg:#ffffff}`}</style>;
}
