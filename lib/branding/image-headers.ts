/**
 * The logo and icon are served from their own routes with a policy under which nothing in them can
 * run or load (a script that slipped into an SVG stays inert even when the file is opened directly).
 * proxy.ts sets the same policy on these paths, so neither layer weakens the other.
 */
export const BRAND_IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function brandImageHeaders(type: string): Record<string, string> {
  return {
    "Content-Type": type,
    "Content-Security-Policy": BRAND_IMAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    // Addresses carry ?v=<save time>; a bare address is refreshed within five minutes.
    "Cache-Control": "public, max-age=300",
    "Content-Disposition": "inline",
  };
}
