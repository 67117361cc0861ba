import { eq, inArray } from "drizzle-orm";
import type { Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, apps, products, type RequestField, users } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { approversFor } from "./approvers";
import { currentKeyExpiry } from "./current-key";

/**
 * Tells the request's approvers (lib/requests/approvers.ts) that it waits for them: when it is
 * submitted, or when an External plan's hand-off timed out (`handoff`). On the caller's transaction.
 */
export async function enqueueNewRequestEmails(tx: Tx, requestId: string, baseUrl: string, handoff?: { endpointName: string; timeoutHours: number; endpointGone?: boolean }) {
  const [row] = await tx
    .select({
      requesterId: accessRequests.requesterId,
      reason: accessRequests.reason,
      plan: accessRequests.plan,
      appName: apps.name,
      name: users.name,
      email: users.email,
      durationDays: accessRequests.durationDays,
      extendsRequestId: accessRequests.extendsRequestId,
      fields: accessRequests.fields,
    })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .where(eq(accessRequests.id, requestId));
  if (!row) return;
  const parts = await tx
    .select({ id: products.id, name: products.name })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(inArray(accessRequestProducts.requestId, [requestId]))
    .orderBy(products.name);
  const expiresAt = row.extendsRequestId ? await currentKeyExpiry(tx, row.extendsRequestId) : null;
  const extension = expiresAt && row.durationDays ? { expiresAt: formatDateTime(expiresAt), days: row.durationDays } : undefined;
  for (const approver of await approversFor(tx, parts.map((p) => p.id), row.requesterId)) {
    await enqueueEmail(tx, {
      to: approver.email,
      template: "new-request",
      props: {
        requesterName: row.name ?? row.email,
        appName: row.appName,
        planName: row.plan.name,
        productNames: parts.map((p) => p.name),
        reason: row.reason,
        answers: answersOf(row.plan.requestFields, row.fields),
        approvalsRequired: row.plan.approvalsRequired,
        url: `${baseUrl}/admin/requests/${requestId}`,
        ...(handoff ? { handoff } : {}),
        ...(extension ? { extension } : {}),
      },
    });
  }
}

/** The requester's answers to the plan's questions, labelled and in the plan's order. */
function answersOf(questions: readonly RequestField[] | undefined, answers: Record<string, string>) {
  return (questions ?? []).map((q) => ({ label: q.label, value: answers[q.key] ?? "" })).filter((a) => a.value.trim() !== "");
}

/**
 * Tells the requester their request arrived and what happens next ("we received your request").
 * On the submit's transaction, so it exists exactly when the request does.
 */
export async function enqueueRequestReceivedEmail(tx: Tx, requestId: string, baseUrl: string) {
  const [row] = await tx
    .select({ status: accessRequests.status, plan: accessRequests.plan, appName: apps.name, name: users.name, email: users.email })
    .from(accessRequests)
    .innerJoin(apps, eq(apps.id, accessRequests.appId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .where(eq(accessRequests.id, requestId));
  if (!row) return;
  const parts = await tx
    .select({ name: products.name, authMethod: products.authMethod })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(eq(accessRequestProducts.requestId, requestId))
    .orderBy(products.name);
  await enqueueEmail(tx, {
    to: row.email,
    template: "request-received",
    props: {
      requesterName: row.name ?? row.email,
      appName: row.appName,
      planName: row.plan.name,
      productNames: parts.map((p) => p.name),
      approvalsRequired: row.plan.approvalsRequired,
      autoApproved: row.status !== "pending",
      // An OAuth 2.0 product's request yields a client, not a key (the cart never mixes the two).
      credential: parts.some((p) => p.authMethod === "oauth2") ? "client" : "key",
      requestUrl: `${baseUrl}/requests/${requestId}`,
    },
  });
}
