/**
 * npm run oauth:rotate-keys — rotates the OAuth access-token signing keys (lib/oauth/signing-keys.ts):
 * the published `next` key starts signing, the old one stays in /.well-known/jwks.json for a day
 * (tokens it signed keep validating), and a new `next` key is published. Run it on a schedule
 * (e.g. monthly) or at once after a suspected leak of AUTH_SECRET. docs/oauth.md "Signing keys".
 */
import { createDb } from "../db/connect";
import { rotateSigningKeys } from "../lib/oauth/signing-keys";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set (npm run oauth:rotate-keys sets it for the embedded database).");
const { db, sql } = createDb(url, { max: 1 });
try {
  const { active, retired } = await rotateSigningKeys(db);
  console.log(`Access tokens are now signed with ${active}; ${retired} is retired and stays published for a day.`);
} finally {
  await sql.end();
}
