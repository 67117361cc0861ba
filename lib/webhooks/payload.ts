import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiKeys, apps, products, users } from "@/db/schema";
import { handoffTimeoutAt } from "@/lib/requests/handoff-status";

/** What a request's events tell a receiver: never a key, a claim link or a token. */
export type RequestFacts = {
  request: { id: string; status: string; reason: string; createdAt: string; decidedAt: string | null; startsAt: string; durationDays: number | null };
  app: { id: string; name: string };
  consumer: { id: string; email: string; name: string | null };
  products: { id: string; slug: string; name: string }[];
  plan: { id: string; name: string };
  /**
   * Only for a request on an External plan: the endpoint whose third party decides it, until
   * `timeoutAt`; `fellBackAt` is set once nobody did and it went to the portal's approvers.
   */
  handoff?: { endpointId: string; endpointName: string; timeoutAt: string; fellBackAt: string | null };
};
export type KeyFacts = { id: string; start: string; createdAt: string; expiresAt: string | null; endReason: string | null };
export type ProductFacts = { id: string; slug: string; name: string; status: string };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The request, its app, consumer, products and plan, for each id (one query each, however many). */
export async function requestFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, RequestFacts>> {
  const out = new Map<string, RequestFacts>();
  if (ids.length === 0) return out;
  const rows = await tx
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      reason: accessRequests.reason,
      createdAt: accessRequests.createdAt,
      decidedAt: accessRequests.decidedAt,
      startsAt: accessRequests.startsAt,
      durationDays: accessRequests.durationDays,
      handoffFallbackAt: accessRequests.handoffFallbackAt,
      planId: accessRequests.planId,
      plan: accessRequests.plan,
      appId: apps.id,
      appName: apps.name,
      consumerId: users.id,
      consumerEmail: users.email,
      consumerName: users.name,
    })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .where(inArray(accessRequests.id, [...ids]));
  const parts = await tx
    .select({ requestId: accessRequestProducts.requestId, id: products.id, slug: products.slug, name: products.name })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(inArray(accessRequestProducts.requestId, [...ids]))
    .orderBy(products.name);
  for (const r of rows) {
    const handoff = r.plan.handoff;
    out.set(r.id, {
      request: { id: r.id, status: r.status, reason: r.reason, createdAt: r.createdAt.toISOString(), decidedAt: iso(r.decidedAt), startsAt: r.startsAt.toISOString(), durationDays: r.durationDays },
      app: { id: r.appId, name: r.appName },
      consumer: { id: r.consumerId, email: r.consumerEmail, name: r.consumerName },
      products: parts.filter((p) => p.requestId === r.id).map(({ id, slug, name }) => ({ id, slug, name })),
      plan: { id: r.planId, name: r.plan.name },
      ...(handoff
        ? {
            handoff: {
              endpointId: handoff.endpointId,
              endpointName: handoff.endpointName,
              timeoutAt: handoffTimeoutAt(r.createdAt, handoff.timeoutHours).toISOString(),
              fellBackAt: iso(r.handoffFallbackAt),
            },
          }
        : {}),
    });
  }
  return out;
}

/** A key's public facts (its first characters, never the key) and its request's id. */
export async function keyFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, KeyFacts & { requestId: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: apiKeys.id, start: apiKeys.start, createdAt: apiKeys.createdAt, expiresAt: apiKeys.expiresAt, endReason: apiKeys.endReason, requestId: apiKeys.requestId })
    .from(apiKeys)
    .where(inArray(apiKeys.id, [...ids]));
  return new Map(rows.map((k) => [k.id, { id: k.id, start: k.start, createdAt: k.createdAt.toISOString(), expiresAt: iso(k.expiresAt), endReason: k.endReason, requestId: k.requestId }]));
}

export async function productFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, ProductFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.select({ id: products.id, slug: products.slug, name: products.name, status: products.status }).from(products).where(inArray(products.id, [...ids]));
  return new Map(rows.map((p) => [p.id, p]));
}
