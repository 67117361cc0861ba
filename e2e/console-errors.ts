import type { Page } from "@playwright/test";

/**
 * Every console error and page error the page logs from now on (e2e/console-clean.spec.ts,
 * e2e/dynamic-pages.spec.ts): the list fills as they come.
 */
export function recordErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    // The email previews (/admin/settings/emails, a mailbox message) are iframes sandboxed with no
    // scripts, and their HTML has none; Chromium sometimes reports a blocked script there all the
    // same (the test's own instrumentation of each frame — it comes and goes between runs of the
    // same pages). That one message, from exactly such a frame, is not the page's.
    if (message.location().url === "about:srcdoc" && message.text().startsWith("Blocked script execution in 'about:srcdoc'")) return;
    if (message.type() === "error") errors.push(`console: ${message.text()} (${page.url()})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message} (${page.url()})`));
  return errors;
}
