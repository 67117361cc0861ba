import { createHash } from "node:crypto";
import { and, eq, gt, inArray, lt, or, sql } from "drizzle-orm";
import type { Queryable, Tx } from "@/db/connect";
import { signInAttempts } from "@/db/schema";
import { ipLimitKey } from "@/lib/net/ip-limit-key";
import { inboxOf } from "./email-address";

export type SignInLimits = { perAddressMinute: number; perAddressHour: number; perIpHour: number };
export type SignInSlot = { ok: true } | { ok: false; limit: "address" | "ip" };

type Keys = { addressHash: string; ip: string | null };

/** What the limits count under: the inbox the address delivers to, and the client's IPv4 address or IPv6 /64. */
const keysOf = (input: { address: string; ip: string | null }): Keys => ({
  addressHash: createHash("sha256").update(inboxOf(input.address)).digest("hex"),
  ip: input.ip ? ipLimitKey(input.ip) : null,
});

async function checkLimits(q: Queryable, keys: Keys, limits: SignInLimits): Promise<SignInSlot> {
  const sameAddress = eq(signInAttempts.addressHash, keys.addressHash);
  const sameIp = keys.ip ? eq(signInAttempts.ip, keys.ip) : sql`false`;
  const [counts] = await q
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
  if (keys.ip && (counts?.ipHour ?? 0) >= limits.perIpHour) return { ok: false, limit: "ip" };
  return { ok: true };
}

/**
 * Whether a sign-in link for this address and client IP would be refused now, without taking a
 * slot or a lock: lets the sign-in route turn a refused request away before Auth.js stores a
 * token for it. takeSignInSlot stays the authority.
 */
export async function signInLimitReached(
  q: Queryable,
  input: { address: string; ip: string | null },
  limits: SignInLimits,
): Promise<boolean> {
  return !(await checkLimits(q, keysOf(input), limits)).ok;
}

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
  const keys = keysOf(input);
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in address ${keys.addressHash}`}, 0))`,
  );
  if (keys.ip)
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in ip ${keys.ip}`}, 0))`,
    );
  const slot = await checkLimits(tx, keys, limits);
  if (!slot.ok) return slot;

  await tx.insert(signInAttempts).values(keys);
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
