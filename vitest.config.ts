import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // lib/ modules marked server-only are plain Node code under test.
      "server-only": path.resolve(import.meta.dirname, "tests/server-only-stub.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".next/**", ".data/**", "e2e/**"],
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    // Two files at once, even on 2 cores (Vitest's default there is one): most files wait on
    // PostgreSQL, timers and the servers they start, not on the CPU. Each has its own database
    // (tests/database.ts). One at a time took 604 s in CI; two, 381 s here (2026-12-03).
    maxWorkers: 2,
    // Sealed email content (lib/mail/sealed.ts) is keyed from AUTH_SECRET.
    env: { AUTH_SECRET: process.env.AUTH_SECRET ?? "portico-test-secret-portico-test-secret" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
