/**
 * npm run api:rotate-signing-key               — adds a new token-signing key; new API access keys are
 *                                                 signed with it, tokens signed before keep working.
 * npm run api:rotate-signing-key -- --retire KID — retires an old signing key: every token it signed
 *                                                 is refused from the next call on, on every instance.
 * npm run api:rotate-signing-key -- --list       — lists the signing keys.
 * Runs through scripts/with-db.ts (DATABASE_URL, or the embedded database in .data/); needs the
 * portal's AUTH_SECRET, which seals the private keys. README "API" → "Rotating the signing key".
 */
import { createDb } from "../db/connect";
import { createSigningKey, listSigningKeys, retireSigningKey } from "../lib/api-access/signing-keys";
import { DomainError } from "../lib/errors";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set (npm run api:rotate-signing-key sets it for the embedded database).");
const args = process.argv.slice(2);
const { db, sql } = createDb(url, { max: 1 });

async function show() {
  const keys = await listSigningKeys(db);
  const signing = keys.filter((k) => !k.retiredAt).at(-1)?.kid;
  console.log("kid                                   created                   state");
  for (const k of keys) {
    const state = k.retiredAt ? `retired ${k.retiredAt.toISOString()}` : k.kid === signing ? "signs new tokens" : "verifies older tokens";
    console.log(`${k.kid.padEnd(38)}${k.createdAt.toISOString().padEnd(26)}${state}`);
  }
}

try {
  const retire = args.indexOf("--retire");
  if (retire !== -1) {
    const kid = args[retire + 1];
    if (!kid) throw new DomainError("invalid", "Say which key: --retire <kid> (see --list).");
    await retireSigningKey(db, kid);
    console.log(`Retired ${kid}: tokens it signed are refused from now on.`);
  } else if (!args.includes("--list")) {
    const kid = await createSigningKey(db);
    console.log(`New signing key ${kid}: API access keys added from now on are signed with it; older tokens keep working.`);
    console.log("Re-create the access keys you want on the new key (Admin → API access keys), then retire the old key with --retire <kid>.");
  }
  await show();
} catch (e) {
  if (!(e instanceof DomainError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await sql.end();
}
