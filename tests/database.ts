import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDb } from "@/db/connect";
import { dropDatabase, ensureDatabase } from "@/db/embedded";

/**
 * A fresh, migrated database for the calling test file (a copy of the template), dropped afterwards.
 * Call at the top level of a test file: `const t = await isolatedDatabase();`
 */
export async function isolatedDatabase() {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `portico_t_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(adminUrl, name, inject("templateDatabase"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // Through the deadline wrapper (db/deadline.ts) as the server's pools are, so every test also
  // checks it changes nothing while the database is well; generous, as this machine may be loaded.
  const conn = createDb(url.toString(), { max: 30, timeoutMs: 60_000 });
  afterAll(async () => {
    await conn.sql.end({ timeout: 5 });
    await dropDatabase(adminUrl, name);
  });
  return { ...conn, url: url.toString(), name };
}
