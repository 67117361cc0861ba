import type { TestProject } from "vitest/node";
import { ensureDatabase, dropDatabase, startEmbeddedPostgres } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

const TEMPLATE = "portico_test_template";

/**
 * One real PostgreSQL for the whole run: the embedded one in .data/test-pg, or the server named by
 * DATABASE_URL. A migrated template database is made once; each test file gets its own copy.
 */
export default async function setup(project: TestProject) {
  let stop = async () => {};
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    // Two test files run at once (vitest.config.ts), each with a pool of up to 30 and some with a job
    // worker's 21 beside it: PostgreSQL's default 100 connections could run out.
    const server = await startEmbeddedPostgres({ dir: process.env.PORTICO_TEST_PG_DIR ?? ".data/test-pg", settings: { max_connections: "300" } });
    stop = server.stop;
    adminUrl = server.url("postgres");
  }
  await dropDatabase(adminUrl, TEMPLATE);
  await ensureDatabase(adminUrl, TEMPLATE);
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE}`;
  await migrateDatabase(url.toString());

  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", TEMPLATE);
  return async () => {
    await stop();
  };
}
