import { sql } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { revokeParts } from "@/lib/requests/revoke-parts";

/**
 * Revokes access to an archived product, inside the archiving transaction: in each approved or
 * available request that holds it, only that product's part is revoked (revokeParts), for good
 * (restoring the product later does not bring it back). Other owners' parts stay theirs to decide;
 * a request whose every part is now revoked is revoked as a whole (keys stop, claim links die, a
 * review opens), and a review opens for a partly revoked one where its plan asks for one.
 *
 * The actor's own requests are skipped: a requester never revokes their own access. Their key
 * stops for the archived product anyway, as verify leaves archived products out.
 */
export async function revokeProductAccess(
  tx: Tx,
  input: { productId: string; productName: string; actorId: string; baseUrl: string; now: Date },
) {
  const live = await tx.execute<{ id: string; requester_id: string }>(sql`
    select r.id, r.requester_id
    from access_requests r
    where r.status in ('approved', 'available')
      and exists (select 1 from access_request_products arp
        where arp.request_id = r.id and arp.product_id = ${input.productId} and arp.revoked_at is null)
    order by r.id
    for update of r`);
  const others = live.filter((r) => r.requester_id !== input.actorId);
  const done = await revokeParts(tx, {
    parts: new Map(others.map((r) => [r.id, [input.productId]])),
    actorId: input.actorId,
    reason: `“${input.productName}” was archived by its owner.`,
    partAction: "request.product_revoked",
    baseUrl: input.baseUrl,
    now: input.now,
  });
  return {
    requests: done.revoked.length + done.partlyRevoked.length,
    keys: done.keys,
    ownKept: live.length - others.length,
  };
}
