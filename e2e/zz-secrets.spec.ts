import { createHash } from "node:crypto";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { SECRETS_FILE } from "./keys-helpers";

// Runs last (file order): by now the other specs have claimed, rolled and revoked keys.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/**
 * Every row of every table in the e2e database, as text. (pg_dump cannot be used here: Debian 12
 * ships pg_dump 15, which refuses to dump the embedded PostgreSQL 18 server.)
 */
async function dumpDatabase() {
  const tables = await conn.sql<{ schema: string; name: string }[]>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`;
  const parts: string[] = [];
  for (const t of tables) {
    const rows = await conn.sql.unsafe(`select t::text as row from "${t.schema}"."${t.name}" t`);
    parts.push(`-- ${t.schema}.${t.name}\n${rows.map((r) => r.row as string).join("\n")}`);
  }
  return { text: parts.join("\n"), tables: tables.map((t) => `${t.schema}.${t.name}`) };
}

test("no plaintext key or claim token is in the database or the server log", async () => {
  const secrets = fs.existsSync(SECRETS_FILE) ? [...new Set(fs.readFileSync(SECRETS_FILE, "utf8").split("\n").filter(Boolean))] : [];
  const keys = secrets.filter((s) => s.startsWith("ptk_"));
  const tokens = secrets.filter((s) => !s.startsWith("ptk_"));
  // The specs before this one must have produced both kinds, or this test would prove nothing.
  expect(keys.length).toBeGreaterThanOrEqual(3);
  expect(tokens.length).toBeGreaterThanOrEqual(2);

  const dump = await dumpDatabase();
  expect(dump.tables).toEqual(expect.arrayContaining(["public.api_keys", "public.claim_links", "public.email_messages", "public.audit_events"]));
  // The dump does hold the keys, as hashes.
  for (const key of keys) expect(dump.text).toContain(createHash("sha256").update(key).digest("hex"));
  const log = fs.existsSync(".data/e2e-server.log") ? fs.readFileSync(".data/e2e-server.log", "utf8") : "";
  expect(log.length).toBeGreaterThan(0);
  const leaks = secrets.filter((s) => dump.text.includes(s) || log.includes(s));
  expect(leaks).toEqual([]);
  console.log(`secrets check: ${keys.length} keys and ${tokens.length} claim tokens absent from ${dump.tables.length} tables (${dump.text.length} chars) and the server log (${log.length} chars)`);
});
