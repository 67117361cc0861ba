/**
 * `npm run api:client`: writes the OpenAPI document of /api/v1 (generated from the operations' zod
 * schemas) to tests/generated/portal-api.openapi.json and runs openapi-typescript on it, giving
 * tests/generated/portal-api.d.ts, the `paths` type an openapi-fetch client is typed with. Run it
 * after changing an operation; lib/api/client.test.ts fails while the committed file is stale.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { apiDocument } from "@/lib/api/document";
import { operations } from "@/lib/api/operations";

/** The document the client is generated from; its server URL is a placeholder (clients set baseUrl). */
export const CLIENT_SERVER_URL = "http://localhost:3000";
export const GENERATED_DIR = path.join(import.meta.dirname, "..", "tests", "generated");

/** Writes the document to `dir` and generates its types there with the openapi-typescript CLI. */
export function generateClient(dir = GENERATED_DIR) {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, "portal-api.openapi.json");
  const dts = path.join(dir, "portal-api.d.ts");
  writeFileSync(json, `${JSON.stringify(apiDocument(operations, CLIENT_SERVER_URL), null, 2)}\n`);
  const cli = path.join(import.meta.dirname, "..", "node_modules", ".bin", "openapi-typescript");
  execFileSync(cli, [json, "--output", dts], { stdio: "pipe" });
  return { json, dts };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { json, dts } = generateClient();
  console.log(`Wrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), dts)}.`);
}
