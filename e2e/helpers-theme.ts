import type { Page } from "@playwright/test";
import { themedByCaller } from "./helpers-products";

/** The theme cookie the root layout renders <html data-theme> from (components/theme/theme.ts). */
export async function setThemeCookie(page: Page, theme: "light" | "dark" | "system") {
  const url = new URL(page.url() === "about:blank" ? "http://127.0.0.1:3100/" : page.url());
  await page.context().addCookies([{ name: "portico-theme", value: theme, url: url.origin }]);
}

/**
 * Runs `check` on the current page in light, then in dark, then leaves the cookie at light. The theme
 * changes as the header's switcher changes it (components/theme/use-theme.ts setTheme): <html
 * data-theme> at once, and the cookie for the next load. Reloading for each theme cost a page load
 * per check (about 60 in the suite); the server-rendered theme has its own tests (screenshots,
 * e2e/shell.spec.ts).
 */
export async function inBothThemes(page: Page, check: (theme: "light" | "dark") => Promise<void>) {
  themedByCaller.add(page);
  try {
    await eachTheme(page, check);
  } finally {
    themedByCaller.delete(page);
  }
  await setThemeCookie(page, "light");
}

async function eachTheme(page: Page, check: (theme: "light" | "dark") => Promise<void>) {
  for (const theme of ["light", "dark"] as const) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
      await setThemeCookie(page, theme);
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      // Components that follow the theme (useResolvedTheme) re-render on the attribute's change.
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    }
    await check(theme);
  }
}
