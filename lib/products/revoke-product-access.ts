import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { accessRequestProducts } from "@/db/schema";
import type { Tx } from "@/db/connect";
import { recordEvent } from "@/lib/audit/record-event";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { emailFacts } from "@/lib/requests/decision-emails";
import { endRequests } from "@/lib/requests/end-requests";

/**
 * Revokes access to an archived product, inside the archiving transaction. A request whose every
 * product is now archived is revoked like any revoke (keys stop, claim links die, review opens).
 * A request that also holds other, live products keeps them: its key already stops working for
 * the archived one (verify leaves archived products out), so only the requester is told.
 * Each requester is emailed like a revoke; everything is audited.
 */
export async function revokeProductAccess(
  tx: Tx,
  input: { productId: string; productName: string; actorId: string; baseUrl: string; now: Date },
) {
  const live = await tx.execute<{ id: string; others: string[] }>(sql`
    select r.id, array(select p.name from access_request_products o join products p on p.id = o.product_id
        where o.request_id = r.id and p.status <> 'archived' order by p.name) as others
    from access_requests r
    where r.status in ('approved', 'available')
      and exists (select 1 from access_request_products arp where arp.request_id = r.id and arp.product_id = ${input.productId})
    for update of r`);
  const reason = `“${input.productName}” was archived by its owner.`;
  const whole = live.filter((r) => r.others.length === 0).map((r) => r.id);
  const partial = new Map(live.filter((r) => r.others.length > 0).map((r) => [r.id, r.others]));
  const ended = await endRequests(tx, { requestIds: whole, transition: "revoke", actorId: input.actorId, reason, now: input.now });
  if (partial.size > 0) {
    // The archived part is revoked for good: restoring the product later does not bring it back.
    await tx
      .update(accessRequestProducts)
      .set({ revokedAt: input.now, revokedById: input.actorId })
      .where(
        and(
          eq(accessRequestProducts.productId, input.productId),
          isNull(accessRequestProducts.revokedAt),
          inArray(accessRequestProducts.requestId, [...partial.keys()]),
        ),
      );
  }
  for (const [requestId, others] of partial) {
    await recordEvent(tx, {
      actorId: input.actorId,
      action: "request.product_revoked",
      subjectType: "request",
      subjectId: requestId,
      comment: reason,
      data: { productId: input.productId, stillWorksFor: others },
    });
  }
  const facts = await emailFacts(tx, [...ended.requestIds, ...partial.keys()]);
  await enqueueEmails(
    tx,
    facts.map((f) => ({
      to: f.email,
      template: "revoked" as const,
      props: {
        requesterName: f.name,
        appName: f.appName,
        planName: f.planName,
        productNames: partial.has(f.id) ? [input.productName] : f.productNames,
        requestUrl: `${input.baseUrl}/requests/${f.id}`,
        reason,
        keptProductNames: partial.get(f.id),
      },
    })),
  );
  return { requests: ended.requestIds.length + partial.size, keys: ended.keys.length };
}
