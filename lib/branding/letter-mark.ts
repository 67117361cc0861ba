import type { Branding } from "./defaults";

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** The favicon when there is no logo: the name's first letter, white on the accent. */
export function letterMarkSvg(brand: Pick<Branding, "name" | "accent">) {
  const letter = (Array.from(brand.name.trim())[0] ?? "P").toUpperCase().replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
  const accent = /^#[0-9a-f]{6}$/i.test(brand.accent) ? brand.accent : "#4f46e5";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${accent}"/><text x="32" y="45" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="38" font-weight="700" text-anchor="middle" fill="#ffffff">${letter}</text></svg>`;
}
