import fs from "node:fs";
import { eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { users } from "../db/schema";

/** The e2e server's database (written by scripts/with-db.ts), for setting up and asserting state. */
export function e2eDb() {
  // Emails enqueued from tests seal their links with the server's secret (lib/mail/sealed.ts).
  process.env.AUTH_SECRET ??= fs.readFileSync(".data/auth-secret", "utf8").trim();
  const url = process.env.DATABASE_URL ?? fs.readFileSync(".data/e2e-pg/database-url", "utf8").trim();
  return createDb(url, { max: 5 });
}

export async function userIdByEmail(db: ReturnType<typeof createDb>["db"], email: string) {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!u) throw new Error(`no user ${email}`);
  return u.id;
}
