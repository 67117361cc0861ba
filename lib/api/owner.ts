import { eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { apiAccessKeys, users } from "@/db/schema";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";

/**
 * The person who will own what an API key creates: the one named by `ownerEmail`, or else the admin
 * who created the key. Whether that person may own it (an enabled owner or admin, never a service
 * user) is checked by the domain function in its transaction.
 */
export async function ownerFor(db: Queryable, actor: ApiKeyActor, ownerEmail: string | undefined): Promise<string> {
  if (ownerEmail === undefined) {
    const [key] = await db.select({ createdById: apiAccessKeys.createdById }).from(apiAccessKeys).where(eq(apiAccessKeys.id, actor.keyId));
    if (!key) throw new Error("the calling key has no row");
    return key.createdById;
  }
  const [person] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.email})`, ownerEmail.trim().toLowerCase()))
    .limit(1);
  if (!person) throw new DomainError("invalid", "Check the highlighted fields.", { ownerEmail: "No one with this email has an account. Ask them to sign in once, then try again." });
  return person.id;
}
