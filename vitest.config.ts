import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { isLostTypeFetch } from "./db/dropped-type-fetch.ts";

const root = import.meta.dirname;

const resolve = {
  alias: {
    "@": root,
    // lib/ modules marked server-only are plain Node code under test.
    "server-only": path.resolve(root, "tests/server-only-stub.ts"),
  },
};

const test = {
  include: ["**/*.test.ts", "**/*.test.tsx"],
  exclude: ["node_modules/**", ".next/**", ".data/**", "e2e/**"],
  pool: "forks" as const,
  // Sealed email content (lib/mail/sealed.ts) is keyed from AUTH_SECRET.
  env: { AUTH_SECRET: process.env.AUTH_SECRET ?? "portico-test-secret-portico-test-secret" },
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Test files that need modules of their own: they set process.env (read once and kept by lib/env,
 * the database client, the mail transport), stub or mock modules, or import a module after changing
 * what it reads. The rest share one module graph per worker, which saves loading Drizzle, zod and
 * the schema again for every file: the whole run took 234 s here with them shared (2026-12-04),
 * 318 s with every file isolated (2026-12-03). A shared file stops what it starts (servers, timers,
 * verify contexts) in afterAll: the worker lives on into the next file.
 */
const NEEDS_OWN_MODULES =
  /process\.env(\.\w+|\[[^\]]+\])\s*(=[^=]|\?\?=)|Object\.assign\(process\.env|delete process\.env|vi\.(stubEnv|stubGlobal|mock|doMock|resetModules)\b|await import\(/;

// The folders `test.exclude` leaves out (and .git), and nothing more: a test under another dot
// folder still runs.
const SKIPPED = new Set([".git", ...test.exclude.map((glob) => glob.replace(/\/\*\*$/, ""))]);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return /\.test\.tsx?$/.test(entry.name) ? [path.relative(root, file)] : [];
  });
}

// As glob patterns that match only that path: route folders such as app/apis/[slug] or app/(auth)
// hold characters a glob reads as patterns.
const ownModules = testFiles(root)
  .filter((file) => NEEDS_OWN_MODULES.test(readFileSync(path.join(root, file), "utf8")))
  .map((file) => file.replace(/[[\]{}()*?!+@]/g, "\\$&"));

export default defineConfig({
  resolve,
  test: {
    // One real PostgreSQL for the whole run (tests/global-setup.ts), started once for both projects.
    globalSetup: ["tests/global-setup.ts"],
    // Two files at once, even on 2 cores (Vitest's default there is one): most files wait on
    // PostgreSQL, timers and the servers they start, not on the CPU. Each has its own database
    // (tests/database.ts). One at a time took 604 s in CI; two, 381 s here (2026-12-03).
    maxWorkers: 2,
    // postgres.js's own read of the array types on a new connection drops its promise: a test that
    // stops or resets the database mid-connect (tests/database-faults.test.ts) left an unhandled
    // rejection that failed the run (db/dropped-type-fetch.ts; its test shows the library still does).
    onUnhandledError: (error) => (isLostTypeFetch(error) ? false : undefined),
    projects: [
      { resolve, test: { ...test, name: "shared", isolate: false, exclude: [...test.exclude, ...ownModules] } },
      { resolve, test: { ...test, name: "own-modules", include: ownModules } },
    ],
  },
});
