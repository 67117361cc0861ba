/** WCAG 2.x contrast, for the accent colour (white text on it, and it as text on white). */

export const AA_NORMAL_TEXT = 4.5;

function channel(c: number) {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of `#rrggbb`. */
export function luminance(hex: string) {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrastRatio(a: string, b: string) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Rounded down, so a colour shown as "4.5:1" really passes. */
export function formatRatio(ratio: number) {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}

/**
 * Why an accent fails AA, or null. White text on the accent (buttons, the header mark) and the
 * accent as text on white (links) are the same pair of colours, so one ratio answers both.
 */
export function accentProblem(hex: string): string | null {
  const ratio = contrastRatio(hex, "#ffffff");
  if (ratio >= AA_NORMAL_TEXT) return null;
  return `${hex} has a contrast of ${formatRatio(ratio)} with white; buttons (white text on the accent) and links (the accent on white) need at least 4.5:1 (WCAG AA). Choose a darker shade, for example #4f46e5.`;
}
