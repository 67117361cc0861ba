import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// The browser and AUTH_URL use 127.0.0.1 while Next serves as "localhost" (its name for any loopback
// address): a sign-in that ends on any origin but AUTH_URL's arrives without its session cookie.
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [["list"]] : [["list"]],
  // Generous for a loaded 2-core machine (a parallel build beside the suite took specs past 60 s).
  timeout: 120_000,
  // A server action and its re-render can take over 10 s with the other core saturated (stress-ng).
  expect: { timeout: 20_000 },
  use: {
    baseURL,
    // Off unless asked (`npx playwright test --trace retain-on-failure`): recording every action made
    // two specs take 2.5 min instead of 1.7 on 2 cores, and CI keeps no files from a run.
    trace: "off",
    launchOptions: {
      // Debian's chromium (Playwright's own browser download is not available here): its headless
      // shell when installed, the full browser otherwise (scripts/test.sh checks for either).
      executablePath: chromiumPath(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // Sets the second-factor policy the specs of earlier issues assume (e2e/policy.setup.ts).
    { name: "setup", testMatch: /policy\.setup\.ts/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"], testIgnore: /second-factor-policy\.spec\.ts/ },
    // The policy's own specs change it for everyone, so they run alone, after all the others.
    {
      name: "second-factor policy",
      use: { ...devices["Desktop Chrome"] },
      dependencies: ["chromium"],
      testMatch: /second-factor-policy\.spec\.ts/,
    },
  ],
  webServer: {
    // A production build against its own fresh embedded database (see scripts/with-db.ts).
    // The same database the build step (scripts/test.sh) made fresh: cached pages and data agree.
    // The log is kept: e2e/secrets.spec.ts checks it holds no key or claim token.
    command: `bash -c "set -o pipefail; npx tsx scripts/with-db.ts --data .data/e2e-pg -- npx next start -p ${port} 2>&1 | tee .data/e2e-server.log"`,
    url: `${baseURL}/apis`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      AUTH_URL: baseURL,
      PORTICO_DEV_MAILBOX: "on",
      // Specs sign the same demo people in many times a minute; the limits have their own tests
      // (lib/auth/send-sign-in-link.test.ts).
      PORTICO_SIGN_IN_PER_MINUTE: "10000",
      PORTICO_SIGN_IN_PER_HOUR: "10000",
      PORTICO_SIGN_IN_PER_IP_HOUR: "100000",
      // Webhook specs post to receivers the test starts on 127.0.0.1 over http (lib/webhooks/targets.ts).
      PORTICO_WEBHOOK_ALLOW_HTTP: "on",
      PORTICO_WEBHOOK_ALLOW_PRIVATE: "on",
      NODE_ENV: "production",
      // A statement waiting past 1.5 s on this loaded machine is slowness, not an outage: the shared
      // server is generous; e2e/database-faults.spec.ts runs its own server with the default.
      PORTICO_DB_TIMEOUT_MS: "10000",
    },
  },
});

/**
 * CHROMIUM_PATH, else Debian's `chromium-headless-shell`, else its `chromium`. The headless shell
 * is what Playwright itself runs headless: on one build and 2 cores, four of the slowest specs took
 * 1.9 min in it and 2.7 in the full browser, and the committed screenshots match in both.
 */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const browsers = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
  return browsers.find((path) => existsSync(path)) ?? "/usr/bin/chromium";
}
