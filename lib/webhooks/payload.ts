import { eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiAccessKeys, apiKeys, apps, oauthClients, products, users } from "@/db/schema";
import { type ActorView, actorView } from "@/lib/audit/actor-view";
import { handoffTimeoutAt } from "@/lib/requests/handoff-status";

/**
 * What events tell a receiver: never a key, a claim link or a token. The shapes are published as
 * JSON Schema in the OpenAPI document's `webhooks` (lib/webhooks/payload-schema.ts); a test
 * validates every event type's payload against that document.
 */
export type RequestFacts = {
  request: { id: string; status: string; reason: string; createdAt: string; decidedAt: string | null; startsAt: string; durationDays: number | null };
  app: { id: string; name: string };
  consumer: { id: string; email: string; name: string | null };
  products: { id: string; slug: string; name: string; revoked: boolean }[];
  plan: { id: string; name: string };
  /**
   * Only for a request on an External plan: the endpoint whose third party decides it, until
   * `timeoutAt`; `fellBackAt` is set once nobody did and it went to the portal's approvers.
   */
  handoff?: { endpointId: string; endpointName: string; timeoutAt: string; fellBackAt: string | null };
};
export type KeyFacts = {
  id: string;
  start: string;
  createdAt: string;
  expiresAt: string | null;
  endsAt: string | null;
  endReason: string | null;
  replacedBy: { id: string; start: string } | null;
};
export type OAuthClientFacts = {
  id: string;
  clientId: string;
  authMethod: string;
  createdAt: string;
  expiresAt: string | null;
  endsAt: string | null;
  endReason: string | null;
};
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
    .select({
      requestId: accessRequestProducts.requestId,
      id: products.id,
      slug: products.slug,
      name: products.name,
      revokedAt: accessRequestProducts.revokedAt,
    })
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
      products: parts.filter((p) => p.requestId === r.id).map((p) => ({ id: p.id, slug: p.slug, name: p.name, revoked: p.revokedAt !== null })),
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

const replacement = alias(apiKeys, "replacement");

/** A key's public facts (its first characters, never the key), its replacement's, and its request's id. */
export async function keyFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, KeyFacts & { requestId: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({
      id: apiKeys.id,
      start: apiKeys.start,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      endsAt: apiKeys.endsAt,
      endReason: apiKeys.endReason,
      requestId: apiKeys.requestId,
      replacedById: replacement.id,
      replacedByStart: replacement.start,
    })
    .from(apiKeys)
    .leftJoin(replacement, eq(replacement.id, apiKeys.replacedById))
    .where(inArray(apiKeys.id, [...ids]));
  return new Map(
    rows.map((k) => [
      k.id,
      {
        id: k.id,
        start: k.start,
        createdAt: k.createdAt.toISOString(),
        expiresAt: iso(k.expiresAt),
        endsAt: iso(k.endsAt),
        endReason: k.endReason,
        replacedBy: k.replacedById && k.replacedByStart ? { id: k.replacedById, start: k.replacedByStart } : null,
        requestId: k.requestId,
      },
    ]),
  );
}

/** An OAuth client's public facts (its public id, never its secret), and its request's id. */
export async function oauthClientFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, OAuthClientFacts & { requestId: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({
      id: oauthClients.id,
      clientId: oauthClients.clientId,
      authMethod: oauthClients.authMethod,
      createdAt: oauthClients.createdAt,
      expiresAt: oauthClients.expiresAt,
      endsAt: oauthClients.endsAt,
      endReason: oauthClients.endReason,
      requestId: oauthClients.requestId,
    })
    .from(oauthClients)
    .where(inArray(oauthClients.id, [...ids]));
  return new Map(
    rows.map((c) => [
      c.id,
      { ...c, createdAt: c.createdAt.toISOString(), expiresAt: iso(c.expiresAt), endsAt: iso(c.endsAt) },
    ]),
  );
}

export async function productFacts(tx: Queryable, ids: readonly string[]): Promise<Map<string, ProductFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.select({ id: products.id, slug: products.slug, name: products.name, status: products.status }).from(products).where(inArray(products.id, [...ids]));
  return new Map(rows.map((p) => [p.id, p]));
}

/** Who acted, as the REST API's audit log names them (a person, an API access key, or Portico). */
export async function actorFacts(tx: Queryable, actors: readonly { type: string; id: string | null }[]): Promise<(a: { type: string; id: string | null }) => ActorView> {
  const ids = [...new Set(actors.flatMap((a) => (a.id ? [a.id] : [])))];
  const rows =
    ids.length === 0
      ? []
      : await tx
          .select({ id: users.id, email: users.email, name: users.name, kind: users.kind, keyId: apiAccessKeys.id, keyName: apiAccessKeys.name })
          .from(users)
          .leftJoin(apiAccessKeys, eq(apiAccessKeys.serviceUserId, users.id))
          .where(inArray(users.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return (a) => {
    const u = a.id ? byId.get(a.id) : undefined;
    return actorView({
      actorType: a.type,
      actorId: a.id,
      actorEmail: u?.email ?? null,
      actorName: u?.name ?? null,
      actorKind: u?.kind ?? null,
      keyId: u?.keyId ?? null,
      keyName: u?.keyName ?? null,
    });
  };
}
