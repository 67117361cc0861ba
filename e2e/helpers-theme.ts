import type { Page } from "@playwright/test";

/** The theme cookie the root layout renders <html data-theme> from (components/theme/theme.ts). */
export async function setThemeCookie(page: Page, theme: "light" | "dark" | "system") {
  const url = new URL(page.url() === "about:blank" ? "http://127.0.0.1:3100/" : page.url());
  await page.context().addCookies([{ name: "portico-theme", value: theme, url: url.origin }]);
}

/**
 * Runs `check` on the current page in light, then in dark (reloading with the theme cookie), then
 * leaves light. A page already rendered in light (the cookie a previous call left) is checked as it is.
 */
export async function inBothThemes(page: Page, check: (theme: "light" | "dark") => Promise<void>) {
  for (const theme of ["light", "dark"] as const) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
      await setThemeCookie(page, theme);
      await page.reload();
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    }
    await check(theme);
  }
  await setThemeCookie(page, "light");
}
