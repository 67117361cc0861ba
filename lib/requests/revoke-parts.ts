import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { accessRequestProducts } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type PartRow, loadParts } from "@/lib/auth/permissions";
import { enqueueEmails } from "@/lib/mail/enqueue-email";
import { openReviews } from "@/lib/reviews/open-reviews";
import { emailFacts } from "./decision-emails";
import { endRequests } from "./end-requests";

type PartRevocation = {
  /** Per request (already locked `for update` and checked by the caller), the products to revoke. */
  parts: ReadonlyMap<string, readonly string[]>;
  actorId: string;
  /** Told to the requester and written in the audit events. */
  reason: string;
  /** The audit action of a revocation that leaves the request other parts. */
  partAction: "request.part_revoked" | "request.product_revoked";
  baseUrl: string;
  now: Date;
};

/**
 * Revokes parts of requests inside `tx`, the one way every revocation goes (an owner's or admin's
 * revoke, archiving a product with revoke). Each named part not yet revoked is marked revoked and
 * stops verifying at once. A request left with no working part is revoked as a whole (endRequests:
 * every key stops, claim links die, a review opens); one that keeps other parts is audited with
 * `partAction` and a review opens too where its plan asks for one. Each requester is emailed the
 * products they lost and, if any, the ones their key still opens. A request with nothing left to
 * revoke in the named products is skipped.
 */
export async function revokeParts(tx: Tx, input: PartRevocation) {
  const all = await loadParts(tx, [...input.parts.keys()]);
  const whole: string[] = [];
  const partly: string[] = [];
  const lost = new Map<string, PartRow[]>();
  const kept = new Map<string, PartRow[]>();
  for (const [requestId, productIds] of input.parts) {
    const live = (all.get(requestId) ?? []).filter((p) => !p.revokedAt);
    const taken = live.filter((p) => productIds.includes(p.productId));
    if (taken.length === 0) continue;
    await tx
      .update(accessRequestProducts)
      .set({ revokedAt: input.now, revokedById: input.actorId })
      .where(
        and(
          eq(accessRequestProducts.requestId, requestId),
          inArray(accessRequestProducts.productId, taken.map((p) => p.productId)),
          isNull(accessRequestProducts.revokedAt),
        ),
      );
    const left = live.filter((p) => !taken.includes(p));
    lost.set(requestId, taken);
    kept.set(requestId, left);
    (left.length === 0 ? whole : partly).push(requestId);
  }

  const ended = await endRequests(tx, { requestIds: whole, transition: "revoke", actorId: input.actorId, reason: input.reason, now: input.now });
  for (const requestId of partly) {
    const taken = lost.get(requestId) ?? [];
    await recordEvent(tx, {
      actorId: input.actorId,
      action: input.partAction,
      subjectType: "request",
      subjectId: requestId,
      comment: input.reason,
      data: {
        products: taken.map((p) => p.productName),
        productIds: taken.map((p) => p.productId),
        stillWorksFor: (kept.get(requestId) ?? []).map((p) => p.productName),
      },
    });
  }
  await openReviews(tx, partly, "revoked");

  const told = new Set([...ended.requestIds, ...partly]);
  const facts = await emailFacts(tx, [...told]);
  await enqueueEmails(
    tx,
    facts.map((f) => {
      const keptNames = (kept.get(f.id) ?? []).map((p) => p.productName);
      return {
        to: f.email,
        template: "revoked" as const,
        props: {
          requesterName: f.name,
          appName: f.appName,
          planName: f.planName,
          productNames: (lost.get(f.id) ?? []).map((p) => p.productName),
          requestUrl: `${input.baseUrl}/requests/${f.id}`,
          reason: input.reason,
          ...(keptNames.length > 0 ? { keptProductNames: keptNames } : {}),
        },
      };
    }),
  );
  return { revoked: ended.requestIds, partlyRevoked: partly, keys: ended.keys.length };
}
