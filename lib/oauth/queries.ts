import { and, desc, eq } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, oauthClients } from "@/db/schema";

export type AppClient = Awaited<ReturnType<typeof clientsOfApp>>[number];

/**
 * An app's OAuth clients, newest first, for its owner (the requester): never a secret or its hash.
 * `requestId`: only that request's (its page lists them).
 */
export async function clientsOfApp(db: Queryable, userId: string, appId: string, opts: { requestId?: string } = {}) {
  return db
    .select({
      id: oauthClients.id,
      clientId: oauthClients.clientId,
      authMethod: oauthClients.authMethod,
      secretStart: oauthClients.secretStart,
      previousSecretEndsAt: oauthClients.previousSecretEndsAt,
      requestId: oauthClients.requestId,
      requestStatus: accessRequests.status,
      planName: accessRequests.plan,
      createdAt: oauthClients.createdAt,
      validFrom: oauthClients.validFrom,
      expiresAt: oauthClients.expiresAt,
      endsAt: oauthClients.endsAt,
      endReason: oauthClients.endReason,
      lastUsedAt: oauthClients.lastUsedAt,
    })
    .from(oauthClients)
    .innerJoin(accessRequests, eq(accessRequests.id, oauthClients.requestId))
    .where(
      and(
        eq(oauthClients.appId, appId),
        eq(accessRequests.requesterId, userId),
        opts.requestId === undefined ? undefined : eq(oauthClients.requestId, opts.requestId),
      ),
    )
    .orderBy(desc(oauthClients.createdAt));
}

export type ClientState = "active" | "not_yet" | "expired" | "ended";

export function clientState(c: Pick<AppClient, "requestStatus" | "validFrom" | "expiresAt" | "endsAt">, now: Date): ClientState {
  if ((c.endsAt && c.endsAt <= now) || c.requestStatus !== "available") return c.expiresAt && c.expiresAt <= now ? "expired" : "ended";
  if (c.expiresAt && c.expiresAt <= now) return "expired";
  if (c.validFrom > now) return "not_yet";
  return "active";
}
