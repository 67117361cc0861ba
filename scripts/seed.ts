import { createDb } from "../db/connect";
import { migrateDatabase } from "../db/migrate";
import { seedDemo } from "../db/seed";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (`npm run dev` seeds the embedded database by itself.)");
  process.exit(1);
}
// Through PgBouncer in transaction mode the migration lock needs the direct connection (db/migrate.ts).
await migrateDatabase(process.env.DATABASE_DIRECT_URL || url, { log: console.log });
const { db, sql } = createDb(url, { max: 1 });
const { seeded } = await seedDemo(db);
await sql.end();
console.log(seeded ? "Demo data seeded." : "Products already exist; nothing seeded.");
