import { eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, apps, products, users } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { type NewEmail, enqueueEmails } from "@/lib/mail/enqueue-email";


/** What decision emails need about each request, in one query however many requests. */
async function emailFacts(tx: Queryable, requestIds: readonly string[]) {
  if (requestIds.length === 0) return [];
  return tx
    .select({
      id: accessRequests.id,
      planName: sql<string>`${accessRequests.plan}->>'name'`,
      startsAt: accessRequests.startsAt,
      email: users.email,
      name: sql<string>`coalesce(${users.name}, ${users.email})`,
      appName: apps.name,
      productNames: sql<string[]>`array(select ${products.name} from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId} where ${accessRequestProducts.requestId} = ${accessRequests.id} order by ${products.name})`,
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .where(inArray(accessRequests.id, [...requestIds]));
}

/** "approved" emails for requests that just became approved (manual or automatic). */
export async function enqueueApprovedEmails(tx: Queryable, requestIds: readonly string[], baseUrl: string, now = new Date()) {
  const facts = await emailFacts(tx, requestIds);
  const messages: NewEmail[] = facts.map((f) => ({
    to: f.email,
    template: "approved",
    props: {
      requesterName: f.name,
      appName: f.appName,
      planName: f.planName,
      productNames: f.productNames,
      requestUrl: `${baseUrl}/requests/${f.id}`,
      // The one-time claim link joins here with the keys module.
      claimUrl: null,
      availableFrom: f.startsAt > now ? formatDateTime(f.startsAt) : null,
    },
  }));
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
