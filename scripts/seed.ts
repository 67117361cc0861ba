import { createDb } from "../db/connect";
import { migrateDatabase } from "../db/migrate";
import { seedDemo } from "../db/seed";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (`npm run dev` seeds the embedded database by itself.)");
  process.exit(1);
}
await migrateDatabase(url);
const { db, sql } = createDb(url, { max: 1 });
const { seeded } = await seedDemo(db);
await sql.end();
console.log(seeded ? "Demo data seeded." : "Products already exist; nothing seeded.");
