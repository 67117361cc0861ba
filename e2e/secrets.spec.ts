import { createHash } from "node:crypto";
import fs from "node:fs";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { e2eDb } from "./db";
import { approvedRequest, claimFromMailbox, rememberSecret, SECRETS_FILE } from "./keys-helpers";

// Makes its own keys and claim tokens first, so it proves something whatever ran before it (or not at
// all); keys other specs remembered in SECRETS_FILE are checked too.
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

/** Claims two keys through the real flow and rolls one: three keys and two claim tokens of this spec's own. */
async function makeSecrets(page: Page, context: BrowserContext) {
  const own: string[] = [];
  for (const slug of ["payments", "weather"]) {
    const { email, requestId } = await approvedRequest(conn, slug);
    await context.clearCookies();
    const { key, claimLink } = await claimFromMailbox(page, email);
    own.push(key, claimLink.slice(claimLink.lastIndexOf("/") + 1));
    if (slug === "weather") {
      await page.goto(`/requests/${requestId}`);
      await page.getByRole("button", { name: "Roll key" }).click();
      await page.getByRole("button", { name: "Roll the key" }).click();
      const rolled = await page.getByTestId("revealed-key").inputValue();
      rememberSecret(rolled);
      own.push(rolled);
    }
  }
  return own;
}

test("no plaintext key or claim token is in the database or the server log", async ({ page, context }) => {
  const own = await makeSecrets(page, context);
  expect(own.filter((s) => s.startsWith("ptk_"))).toHaveLength(3);
  expect(own.filter((s) => !s.startsWith("ptk_"))).toHaveLength(2);
  const remembered = fs.existsSync(SECRETS_FILE) ? fs.readFileSync(SECRETS_FILE, "utf8").split("\n").filter(Boolean) : [];
  const secrets = [...new Set([...own, ...remembered])];
  const keys = secrets.filter((s) => s.startsWith("ptk_"));
  const tokens = secrets.filter((s) => !s.startsWith("ptk_"));

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
