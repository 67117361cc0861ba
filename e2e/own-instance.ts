import { createDb } from "../db/connect";
import { seedDemo } from "../db/seed";
import { ownPostgres } from "../tests/own-postgres";
import { type Instance, sharedEnv, startNext } from "./instances";

/**
 * A Portico of its own: the suite's build on its own PostgreSQL, migrated and seeded with the demo
 * data and nothing else, so what a page shows depends on this test alone (never on what the specs
 * before it wrote into the shared database).
 */
export async function ownInstance(label: string, port: number, env: Record<string, string> = {}) {
  const pg = await ownPostgres(label);
  const conn = createDb(pg.url, { max: 3 });
  await seedDemo(conn.db);
  let web: Instance | undefined;
  try {
    web = await startNext(label, port, { ...sharedEnv(), DATABASE_URL: pg.url, AUTH_URL: `http://127.0.0.1:${port}`, ...env });
  } catch (error) {
    await conn.sql.end();
    await pg.destroy();
    throw error;
  }
  return {
    url: web.url,
    conn,
    web,
    async stop() {
      await web?.stop();
      await conn.sql.end();
      await pg.destroy();
    },
  };
}
