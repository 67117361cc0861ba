import { eq } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { users } from "@/db/schema";
import { REASONS } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";

/**
 * Whether the user's account is disabled, read inside `tx` with the row locked `for share`: an
 * admin disabling the account at the same moment waits for this transaction, or this one sees
 * the account disabled. Lock it first in the transaction, before rows a disable also writes.
 */
export async function accountDisabled(tx: Tx, userId: string) {
  const [user] = await tx.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).for("share");
  if (!user) throw notFound("This account");
  return user.disabledAt !== null;
}

/**
 * Refuses a disabled account in the requester's own functions that take a user id: the session
 * check ran before the transaction, and jobs and API routes call the same functions.
 */
export async function assertActiveUser(tx: Tx, userId: string) {
  if (await accountDisabled(tx, userId)) throw new DomainError("forbidden", REASONS.disabled);
}
