import { createHash } from "node:crypto";
import { and, eq, gt, inArray, lt, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { signInAttempts } from "@/db/schema";

export type SignInLimits = { perAddressMinute: number; perAddressHour: number; perIpHour: number };
export type SignInSlot = { ok: true } | { ok: false; limit: "address" | "ip" };

const hashAddress = (address: string) =>
  createHash("sha256").update(address.trim().toLowerCase()).digest("hex");

/**
 * Takes one sign-in-link slot for this address and client IP, or says which limit is reached.
 * The count and the insert run under transaction-scoped advisory locks on the address and on the
 * IP (always in that order, so two requests cannot deadlock), so of parallel requests on any number
 * of instances exactly as many pass as the limits allow. Refusals take no slot: asking again and
 * again does not push the wait further out. Runs on the caller's transaction.
 */
export async function takeSignInSlot(
  tx: Tx,
  input: { address: string; ip: string | null },
  limits: SignInLimits,
): Promise<SignInSlot> {
  const addressHash = hashAddress(input.address);
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in address ${addressHash}`}, 0))`,
  );
  if (input.ip)
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in ip ${input.ip}`}, 0))`,
    );

  const sameAddress = eq(signInAttempts.addressHash, addressHash);
  const sameIp = input.ip ? eq(signInAttempts.ip, input.ip) : sql`false`;
  const [counts] = await tx
    .select({
      addressMinute: sql<number>`count(*) filter (where ${sameAddress} and ${signInAttempts.createdAt} > now() - interval '1 minute')::int`,
      addressHour: sql<number>`count(*) filter (where ${sameAddress})::int`,
      ipHour: sql<number>`count(*) filter (where ${sameIp})::int`,
    })
    .from(signInAttempts)
    .where(
      and(gt(signInAttempts.createdAt, sql`now() - interval '1 hour'`), or(sameAddress, sameIp)),
    );
  if (
    (counts?.addressMinute ?? 0) >= limits.perAddressMinute ||
    (counts?.addressHour ?? 0) >= limits.perAddressHour
  ) {
    return { ok: false, limit: "address" };
  }
  if (input.ip && (counts?.ipHour ?? 0) >= limits.perIpHour) return { ok: false, limit: "ip" };

  await tx.insert(signInAttempts).values({ addressHash, ip: input.ip });
  // Rows past the longest window count for nothing: a few go with every slot taken, skipping rows
  // another transaction is deleting, so no sign-in waits for another's clean-up.
  const stale = tx
    .select({ id: signInAttempts.id })
    .from(signInAttempts)
    .where(lt(signInAttempts.createdAt, sql`now() - interval '1 hour'`))
    .limit(50)
    .for("update", { skipLocked: true });
  await tx.delete(signInAttempts).where(inArray(signInAttempts.id, stale));
  return { ok: true };
}
