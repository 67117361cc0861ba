import { addHours } from "date-fns/addHours";
import { max } from "date-fns/max";
import { eq, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "@/db/connect";
import { accessRequests, apps, users } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { claimUrl, issueClaimLinks } from "@/lib/keys/claim-links";
import { type NewEmail, enqueueEmails } from "@/lib/mail/enqueue-email";
import { currentKeyExpiry } from "./current-key";
import { endRequests } from "./end-requests";
import { requestIsOAuthColumn, requestProductNames } from "./product-names";


/**
 * What decision emails need about each request, in one query however many requests. `oauth`: only
 * the approval emails ask (the link yields a client or a key); for the others it is left false.
 */
export async function emailFacts(tx: Queryable, requestIds: readonly string[], opts: { oauth?: boolean } = {}) {
  if (requestIds.length === 0) return [];
  return tx
    .select({
      id: accessRequests.id,
      planName: sql<string>`${accessRequests.plan}->>'name'`,
      startsAt: accessRequests.startsAt,
      claimLinkLifetimeHours: sql<number>`coalesce((${accessRequests.plan}->>'claimLinkLifetimeHours')::int, 72)`,
      email: users.email,
      name: sql<string>`coalesce(${users.name}, ${users.email})`,
      requesterDisabled: sql<boolean>`${users.disabledAt} is not null`,
      appName: apps.name,
      productNames: requestProductNames(),
      oauth: opts.oauth ? requestIsOAuthColumn() : sql<boolean>`false`,
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .where(inArray(accessRequests.id, [...requestIds]));
}

/**
 * "approved" emails for requests that just became approved (manual or automatic), each carrying a
 * new one-time claim link. Also used to re-send the link: the earlier one stops working.
 */
export async function enqueueApprovedEmails(
  tx: Tx,
  requestIds: readonly string[],
  baseUrl: string,
  now = new Date(),
  /** "claim-link": a new link the requester asked for, instead of the approval itself. */
  template: "approved" | "claim-link" = "approved",
) {
  const all = await emailFacts(tx, requestIds, { oauth: true });
  // A disabled person is never sent a claim link: a request of theirs that was just approved (or
  // whose link they ask for again) is cancelled instead, audited as the system's doing.
  await endRequests(tx, {
    requestIds: all.filter((f) => f.requesterDisabled).map((f) => f.id),
    transition: "cancel",
    actorId: null,
    actorType: "system",
    reason: "The requester's account is disabled, so no claim link is sent.",
    now,
  });
  const facts = all.filter((f) => !f.requesterDisabled);
  const tokens = await issueClaimLinks(
    tx,
    facts.map((f) => ({ id: f.id, startsAt: f.startsAt, lifetimeHours: f.claimLinkLifetimeHours })),
    now,
  );
  const messages: NewEmail[] = facts.flatMap((f) => {
    const token = tokens.get(f.id);
    if (!token) return [];
    return [
      {
        to: f.email,
        template,
        props: {
          requesterName: f.name,
          appName: f.appName,
          planName: f.planName,
          productNames: f.productNames,
          requestUrl: `${baseUrl}/requests/${f.id}`,
          claimUrl: claimUrl(baseUrl, token),
          availableFrom: f.startsAt > now ? formatDateTime(f.startsAt) : null,
          credential: f.oauth ? "client" : "key",
        },
        // not worth sending once its claim link has expired (issueClaimLinks' expiry)
        usefulUntil: addHours(max([now, f.startsAt]), f.claimLinkLifetimeHours),
      },
    ];
  });
  await enqueueEmails(tx, messages);
}

/** "reject" emails, carrying the approver's comment. */
export async function enqueueDeniedEmails(tx: Queryable, requestIds: readonly string[], comment: string | null, baseUrl: string) {
  const facts = await emailFacts(tx, requestIds);
  await enqueueEmails(
    tx,
    facts.map((f) => ({
      to: f.email,
      template: "reject",
      props: {
        requesterName: f.name,
        appName: f.appName,
        planName: f.planName,
        productNames: f.productNames,
        comment,
        requestUrl: `${baseUrl}/requests/${f.id}`,
      },
    })),
  );
}

/** "extension-denied" emails: the comment, and the expiry the key keeps; they link the extended request. */
export async function enqueueExtensionDeniedEmails(tx: Queryable, extensionIds: readonly string[], comment: string | null, baseUrl: string) {
  if (extensionIds.length === 0) return;
  const rows = await tx
    .select({ id: accessRequests.id, originalId: accessRequests.extendsRequestId })
    .from(accessRequests)
    .where(inArray(accessRequests.id, [...extensionIds]));
  const facts = new Map((await emailFacts(tx, extensionIds)).map((f) => [f.id, f]));
  const messages: NewEmail[] = [];
  for (const r of rows) {
    const f = facts.get(r.id);
    if (!f || !r.originalId) continue;
    const expiresAt = await currentKeyExpiry(tx, r.originalId);
    messages.push({
      to: f.email,
      template: "extension-denied",
      props: {
        requesterName: f.name,
        appName: f.appName,
        planName: f.planName,
        productNames: f.productNames,
        comment,
        expiresAt: expiresAt ? formatDateTime(expiresAt) : null,
        requestUrl: `${baseUrl}/requests/${r.originalId}`,
      },
    });
  }
  await enqueueEmails(tx, messages);
}
