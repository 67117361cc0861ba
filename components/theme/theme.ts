/**
 * The colour theme: "system" follows the device (prefers-color-scheme), "light" and "dark" pin it.
 * Kept in a cookie so the server renders <html data-theme> with it: the page paints in the right
 * theme before any script runs (no flash). app/globals.css turns data-theme into Tailwind's `dark:`.
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "portico-theme";

export function parseTheme(value: string | undefined | null): Theme {
  return THEMES.includes(value as Theme) ? (value as Theme) : "system";
}

export const THEME_LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };
