import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { plans, products, users } from "@/db/schema";
import { type Actor, hasAuthority } from "@/lib/auth/permissions";
import { resolveLines } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { accountDisabled } from "@/lib/users/assert-active-user";
import { type Submission, submitLines } from "./submit-request";

export const NO_SUCH_CONSUMER = "No one with this email has an account. Ask them to sign in to the portal once, then try again.";

export type OnBehalfInput = Submission & {
  consumerEmail: string;
  productIds: readonly string[];
  planId: string;
  /** Answers to the plan's questions, by field key. */
  fields: Record<string, unknown>;
  baseUrl: string;
  now?: Date;
};

/**
 * Submits an access request for a consumer (by their email) as if they had submitted their cart:
 * the same rules, app handling, auto-approval and emails (submitLines); the consumer is the
 * requester, so the actor may then decide it. The actor must have authority over every product
 * (an admin, or an API key that is Product approver for each). The consumer must already have an
 * enabled account: an unknown email is refused rather than creating an account nobody signed up for.
 * Refusals write nothing.
 */
export async function createRequestOnBehalf(db: Database, actor: Actor, input: OnBehalfInput) {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const [consumer] = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`${users.email} = ${input.consumerEmail.trim().toLowerCase()} and ${users.kind} = 'person'`);
    if (!consumer) throw new DomainError("invalid", NO_SUCH_CONSUMER, { consumerEmail: NO_SUCH_CONSUMER });
    if (await accountDisabled(tx, consumer.id)) {
      const why = "This consumer's account is disabled. An admin must enable it first.";
      throw new DomainError("invalid", why, { consumerEmail: why });
    }

    const pairs = input.productIds.map((productId) => ({ productId, planId: input.planId }));
    const lines = await resolveLines(tx, pairs);
    if (lines.length < pairs.length) {
      const [plan] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.id, input.planId));
      const missing = pairs.findIndex((p) => !lines.some((l) => l.productId === p.productId));
      const [field, why] = plan ? [`productIds.${missing}`, "No product with this id exists."] : ["planId", "No plan with this id exists."];
      throw new DomainError("invalid", why, { [field]: why });
    }
    const owners = await tx.select({ id: products.id, ownerId: products.ownerId }).from(products).where(inArray(products.id, [...input.productIds]));
    const outside = lines.find((l) => !hasAuthority(actor, { productId: l.productId, ownerId: owners.find((o) => o.id === l.productId)?.ownerId ?? "" }));
    if (outside) throw new DomainError("forbidden", `Only an approver of ${outside.productName} may request access to it for a consumer.`);

    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cart:${consumer.id}`}))`);
    return submitLines(
      tx,
      { requesterId: consumer.id, submittedById: actor.id, baseUrl: input.baseUrl, now, linesField: "productIds" },
      lines,
      input,
      input.fields,
    );
  });
}
