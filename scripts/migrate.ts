// `npm run db:migrate`, and the one-shot `migrate` service of compose.yaml. Several instances may run
// it at once: they take turns (db/migrate.ts). A session-level lock needs a direct connection, so a
// deployment behind PgBouncer in transaction mode sets DATABASE_DIRECT_URL (docs/deploy.md).
import { migrateDatabase } from "../db/migrate";

const url = process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (`npm run dev` migrates the embedded database by itself.)");
  process.exit(1);
}
await migrateDatabase(url, { log: console.log });
console.log("Migrations applied.");
