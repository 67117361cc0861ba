import fs from "node:fs";
import { SECRETS_FILE } from "./keys-helpers";

/** Each run starts with an empty list of seen secrets (e2e/secrets.spec.ts). */
export default function globalSetup() {
  fs.rmSync(SECRETS_FILE, { force: true });
}
