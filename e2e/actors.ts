import type { Browser } from "@playwright/test";
import { users, type UserRole } from "../db/schema";
import type { e2eDb } from "./db";
import { signInAs } from "./helpers";

export type SignedIn = { id: string; email: string; role: UserRole; cookie: string };

/**
 * A new user with this role, signed in once (e2e/helpers.ts signInAs); the session's
 * cookies come back as a Cookie header to reuse for every call this actor makes.
 */
export async function signedInUser(conn: ReturnType<typeof e2eDb>, browser: Browser, role: UserRole, email: string): Promise<SignedIn> {
  // Auth.js lowercases the address it signs in; a mixed-case row would be a different person.
  if (email !== email.toLowerCase()) throw new Error(`use a lowercase address: ${email}`);
  const [u] = await conn.db.insert(users).values({ email, name: email.split("@")[0], role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signInAs(page, email);
    const cookies = await context.cookies();
    if (!cookies.some((c) => c.name.endsWith("authjs.session-token"))) throw new Error(`no session cookie for ${email}`);
    return { id: u.id, email, role, cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") };
  } finally {
    await context.close();
  }
}
