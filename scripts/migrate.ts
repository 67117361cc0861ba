import { migrateDatabase } from "../db/migrate";

// Migrations take session-level locks and run DDL in transactions: past a transaction-mode pooler
// (DATABASE_POOLER=transaction) they go to the database directly.
const url = process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (`npm run dev` migrates the embedded database by itself.)");
  process.exit(1);
}
await migrateDatabase(url);
console.log("Migrations applied.");
