import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "@/db/connect";
import { accessRequests, apps, claimLinks } from "@/db/schema";
import { REASONS } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { requestProductNames } from "@/lib/requests/product-names";
import { accessWindowEnd, expireUnclaimedRequest } from "@/lib/requests/expire-unclaimed";
import { applyTransition } from "@/lib/requests/state-machine";
import { accountDisabled } from "@/lib/users/assert-active-user";
import { CLAIM_TOKEN_PATTERN } from "./claim-links";
import { hashSecret } from "./key-format";
import { type KeyRequest, issueKey } from "./issue-key";
import { clientScopes, issueClient, requestIsOAuth } from "@/lib/oauth/clients";

export type ClaimState =
  | { state: "ready"; requestId: string; appName: string; planName: string; productNames: string[] }
  | { state: "invalid" | "foreign" }
  | { state: "used" | "superseded" | "closed"; requestId: string; status?: string }
  | { state: "expired"; requestId: string; expiredAt: Date }
  | { state: "window-ended"; requestId: string; endedAt: Date }
  | { state: "not-yet"; requestId: string; availableFrom: Date };

/**
 * What a claim link would do for this user right now. Reads only: GET and HEAD (mail scanners open
 * links) must never use a link up.
 */
export async function inspectClaimLink(db: Queryable, token: string, userId: string, now = new Date()): Promise<ClaimState> {
  if (!CLAIM_TOKEN_PATTERN.test(token)) return { state: "invalid" };
  const [link] = await db
    .select({
      requestId: claimLinks.requestId,
      usedAt: claimLinks.usedAt,
      supersededAt: claimLinks.supersededAt,
      expiresAt: claimLinks.expiresAt,
      requesterId: accessRequests.requesterId,
      status: accessRequests.status,
      startsAt: accessRequests.startsAt,
      durationDays: accessRequests.durationDays,
      appName: apps.name,
      planName: sql<string>`${accessRequests.plan}->>'name'`,
      productNames: requestProductNames(),
    })
    .from(claimLinks)
    .innerJoin(accessRequests, eq(accessRequests.id, claimLinks.requestId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .where(eq(claimLinks.tokenHash, hashSecret(token)));
  if (!link) return { state: "invalid" };
  if (link.requesterId !== userId) return { state: "foreign" };
  const requestId = link.requestId;
  if (link.usedAt) return { state: "used", requestId };
  if (link.status !== "approved") return { state: "closed", requestId, status: link.status };
  if (link.supersededAt) return { state: "superseded", requestId };
  const windowEnd = accessWindowEnd(link);
  if (windowEnd && windowEnd <= now) return { state: "window-ended", requestId, endedAt: windowEnd };
  if (link.expiresAt <= now) return { state: "expired", requestId, expiredAt: link.expiresAt };
  if (link.startsAt > now) return { state: "not-yet", requestId, availableFrom: link.startsAt };
  return { state: "ready", requestId, appName: link.appName, planName: link.planName, productNames: link.productNames };
}

/**
 * The sentence a refused claim shows; each says what happened and what to do next. `credential`:
 * what the request yields, an API key or (an OAuth 2.0 product's request) a client.
 */
export function claimRefusal(s: Exclude<ClaimState, { state: "ready" }>, credential: "key" | "client" = "key"): string {
  const what = credential === "client" ? "client" : "key";
  switch (s.state) {
    case "invalid":
      return "This claim link is not valid. Check that you opened the whole link from the email, or send yourself a new one from My requests.";
    case "foreign":
      return "This claim link was sent to another account. Sign out, then sign in with the email address the link was sent to.";
    case "used":
      return credential === "client"
        ? "This link has already been used: the client secret was shown once and cannot be shown again. Your app's page lists the client; if you did not keep the secret, roll it there to get a new one."
        : "This link has already been used: the key was shown once, from this link or with Generate key on the request page, and cannot be shown again. The request page shows the key's details; if you did not keep the key, roll it there to get a new one.";
    case "superseded":
      return "A newer claim link replaced this one. Use the most recent email, or send yourself a new link from the request page.";
    case "closed":
      return `This request is ${s.status}, so there is no ${what} to claim. Open the request to see what happened.`;
    case "expired":
      return `This claim link expired on ${formatDateTime(s.expiredAt)}. Send yourself a new one from the request page.`;
    case "window-ended":
      return `This access ended on ${formatDateTime(s.endedAt)} before its ${what} was claimed, so there is no ${what} to claim. To use the API, request access again from the catalogue.`;
    case "not-yet":
      return `This access starts on ${formatDateTime(s.availableFrom)}. Come back then: the link works from that time.`;
  }
}

/**
 * Uses a claim link: one guarded UPDATE marks it used, so of any number of concurrent claims
 * exactly one creates a key. The request becomes available in the same transaction. A disabled
 * account claims nothing (the link stays unused, refused "forbidden" if it would otherwise work).
 */
/**
 * What a claim yields, in the claim's transaction (the emailed link's and the request page's alike):
 * an API key, or for an OAuth 2.0 product's request (`oauth`) an OAuth client with the plan's scopes
 * for its token call. Both are read before the commit: after it, a failed read would lose the only
 * view of the secret.
 */
export async function issueCredential(tx: Tx, request: KeyRequest, opts: { oauth: boolean; prefix: string; actorId: string; now: Date }) {
  if (opts.oauth) {
    const { clientId, clientSecret, client } = await issueClient(tx, request, { actorId: opts.actorId, now: opts.now });
    const scopes = await clientScopes(tx, request.id);
    return { kind: "oauth_client" as const, clientId, clientSecret, client, scopes, requestId: request.id };
  }
  const { plaintext, key } = await issueKey(tx, request, { prefix: opts.prefix, actorId: opts.actorId, now: opts.now });
  return { kind: "key" as const, plaintext, key, requestId: request.id };
}

export async function claimCredential(
  db: Database,
  token: string,
  userId: string,
  /** baseUrl: for the "expired" email when the claim comes after the access window ended. */
  opts: { prefix: string; now?: Date; baseUrl?: string },
) {
  const now = opts.now ?? new Date();
  if (!CLAIM_TOKEN_PATTERN.test(token)) throw new DomainError("not_found", claimRefusal({ state: "invalid" }));
  const result = await db.transaction(async (tx) => {
    // A disabled account claims nothing; the link stays unused. Which refusal it hears is decided
    // below: a link that no longer works says so first.
    if (await accountDisabled(tx, userId)) return "disabled" as const;
    // The request row before its link: every other writer of both (a revoke, an expiry, a resend, a
    // decision) locks the request and then its links, so a claim racing a revoke waits for it instead
    // of the two deadlocking (each holding one row and waiting for the other's). Only the requester's
    // own request is locked; a stranger's token locks nothing and is refused below.
    const [link] = await tx.select({ requestId: claimLinks.requestId }).from(claimLinks).where(eq(claimLinks.tokenHash, hashSecret(token)));
    if (link) {
      await tx
        .select({ id: accessRequests.id })
        .from(accessRequests)
        .where(and(eq(accessRequests.id, link.requestId), eq(accessRequests.requesterId, userId)))
        .for("update");
    }
    const [used] = await tx
      .update(claimLinks)
      .set({ usedAt: now })
      .where(
        and(
          eq(claimLinks.tokenHash, hashSecret(token)),
          isNull(claimLinks.usedAt),
          isNull(claimLinks.supersededAt),
          gt(claimLinks.expiresAt, now),
          sql`exists (select 1 from ${accessRequests} where ${accessRequests.id} = ${claimLinks.requestId}
            and ${accessRequests.requesterId} = ${userId} and ${accessRequests.status} = 'approved'
            and ${accessRequests.startsAt} <= ${now.toISOString()}
            and (${accessRequests.durationDays} is null
              or ${accessRequests.startsAt} + make_interval(days => ${accessRequests.durationDays}) > ${now.toISOString()}))`,
        ),
      )
      .returning({ requestId: claimLinks.requestId });
    if (!used) return null;
    // An OAuth 2.0 product's request yields an OAuth client, not an API key (the cart never mixes them).
    const oauth = await requestIsOAuth(tx, used.requestId);
    const request = await applyTransition(tx, {
      requestId: used.requestId,
      transition: "claim",
      actorId: userId,
      requesterId: userId,
      ...(oauth ? { data: { credential: "oauth_client" } } : {}),
    });
    return issueCredential(tx, request, { oauth, prefix: opts.prefix, actorId: userId, now });
  });
  if (result && result !== "disabled") return result;
  const state = await inspectClaimLink(db, token, userId, now);
  if (result === "disabled" && state.state === "ready") throw new DomainError("forbidden", REASONS.disabled);
  // Never a key that is already expired: the request ends as expired, as the sweep would end it.
  if (state.state === "window-ended") {
    await db.transaction((tx) => expireUnclaimedRequest(tx, state.requestId, { baseUrl: opts.baseUrl, now }));
  }
  // Said in a client's words for an OAuth 2.0 product's request, as the claim page says it; only the
  // requester's own link names its request, so a stranger hears the same words either way.
  const credential = "requestId" in state && (await requestIsOAuth(db, state.requestId)) ? "client" : "key";
  throw new DomainError(
    state.state === "invalid" ? "not_found" : state.state === "foreign" ? "forbidden" : "conflict",
    state.state === "ready" ? claimRefusal({ state: "used", requestId: state.requestId }, credential) : claimRefusal(state, credential),
  );
}


/**
 * claimCredential for a request known to be for API-key products (tests, bench, scripts): the key.
 * The claim UI uses claimCredential, which also hands out OAuth clients.
 */
export async function claimKey(db: Database, token: string, userId: string, opts: { prefix: string; now?: Date; baseUrl?: string }) {
  const claimed = await claimCredential(db, token, userId, opts);
  if (claimed.kind !== "key") throw new Error("claimKey: this request is for OAuth 2.0 products; use claimCredential");
  return claimed;
}
