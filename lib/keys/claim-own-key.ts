import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/connect";
import { accessRequests, claimLinks } from "@/db/schema";
import { REASONS, type UserActor } from "@/lib/auth/permissions";
import { DomainError, notFound } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { accessWindowEnd, expireUnclaimedRequest } from "@/lib/requests/expire-unclaimed";
import { applyTransition, pastTense } from "@/lib/requests/state-machine";
import { accountDisabled } from "@/lib/users/assert-active-user";
import { requestIsOAuth } from "@/lib/oauth/clients";
import { issueCredential } from "./claim-key";

const OAUTH_ALREADY_CREATED =
  "The OAuth client was already created and its client secret was shown once. Your app's page lists the client; if you did not keep the secret, roll it there to get a new one.";

export const claimOwnKeySchema = z.object({ requestId: z.uuid("That request does not exist.") });

/**
 * Generate key on the request page: the same one-time claim as the emailed link (lib/keys/claim-key.ts),
 * for the signed-in requester, without the token. Like the link, it yields what the request is for:
 * an API key, or for an OAuth 2.0 product's request an OAuth client (its secret shown once,
 * issueCredential). The token proves the mailbox; here the session proves
 * the requester, so only the requester may do it (anyone else hears "not found", as for any request that
 * is not theirs). The request's unused claim links are spent in the same transaction, so the email link
 * then says it was used; of any number of concurrent claims, by either way, exactly one creates a key
 * (the claim transition is guarded in SQL: approved → available).
 */
export async function claimOwnCredential(
  db: Database,
  actor: UserActor,
  input: z.input<typeof claimOwnKeySchema>,
  /** baseUrl: for the "expired" email when the claim comes after the access window ended. */
  opts: { prefix: string; now?: Date; baseUrl?: string },
) {
  const { requestId } = claimOwnKeySchema.parse(input);
  const now = opts.now ?? new Date();
  const result = await db.transaction(async (tx) => {
    // Locked first, as in claimKey: an admin disabling the account meanwhile waits or is seen.
    if (await accountDisabled(tx, actor.id)) throw new DomainError("forbidden", REASONS.disabled);
    const [request] = await tx
      .select({ status: accessRequests.status, startsAt: accessRequests.startsAt, durationDays: accessRequests.durationDays })
      .from(accessRequests)
      .where(and(eq(accessRequests.id, requestId), eq(accessRequests.requesterId, actor.id)))
      // Locked before its claim links, the order every writer of both takes (claimKey too), so a
      // claim racing a revoke waits for it instead of the two deadlocking.
      .for("update");
    if (!request) throw notFound("This request");
    // Only the requester gets this far, so saying which kind of credential it is tells no one else anything.
    const oauth = await requestIsOAuth(tx, requestId);
    if (request.status === "available") {
      throw new DomainError(
        "conflict",
        oauth
          ? OAUTH_ALREADY_CREATED
          : "The key was already generated and shown once. Its details are on this page; if you did not keep it, roll the key to get a new one.",
      );
    }
    const credential = oauth ? "OAuth client" : "key";
    if (request.status !== "approved") throw new DomainError("conflict", `This request is ${pastTense[request.status]}, so there is no ${credential} to create.`);
    if (request.startsAt > now) {
      throw new DomainError("conflict", `This access starts on ${formatDateTime(request.startsAt)}. Come back then to create the ${credential}.`);
    }
    const windowEnd = accessWindowEnd(request);
    if (windowEnd && windowEnd <= now) return { ended: windowEnd, credential } as const;
    await tx
      .update(claimLinks)
      .set({ usedAt: now })
      .where(and(eq(claimLinks.requestId, requestId), isNull(claimLinks.usedAt), isNull(claimLinks.supersededAt)));
    const claimed = await applyTransition(tx, {
      requestId,
      transition: "claim",
      actorId: actor.id,
      requesterId: actor.id,
      data: oauth ? { via: "request-page", credential: "oauth_client" } : { via: "request-page" },
    }).catch((error: unknown) => {
      // A claim that lost the race (another tab, the emailed link) hears it in a client's words too.
      if (oauth && error instanceof DomainError && error.code === "conflict") throw new DomainError("conflict", OAUTH_ALREADY_CREATED);
      throw error;
    });
    return issueCredential(tx, claimed, { oauth, prefix: opts.prefix, actorId: actor.id, now });
  });
  if ("ended" in result) {
    // Never a key that is already expired: the request ends as expired, as the sweep would end it.
    await db.transaction((tx) => expireUnclaimedRequest(tx, requestId, { baseUrl: opts.baseUrl, now }));
    throw new DomainError(
      "conflict",
      `This access ended on ${formatDateTime(result.ended)} before its ${result.credential} was created, so there is none. To use the API, request access again from the catalogue.`,
    );
  }
  return result;
}
