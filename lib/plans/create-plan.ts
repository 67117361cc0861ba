import type { Queryable } from "@/db/connect";
import { plans } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertManager, resolveOwner } from "@/lib/products/product-access";
import { asNameTaken, assertHandoffEndpoint, assertNameFree, parsePlan } from "./plan-checks";

/** Creates a plan owned by the actor (or, for an admin or API key, `ownerId`: lib/products/product-access.ts), audited in the same transaction. */
export async function createPlan(db: Queryable, actor: Actor, input: unknown, options: { ownerId?: string } = {}) {
  assertManager(actor);
  const fields = parsePlan(input);
  return db
    .transaction(async (tx) => {
      const ownerId = await resolveOwner(tx, actor, options.ownerId);
      await assertNameFree(tx, fields.name, null);
      await assertHandoffEndpoint(tx, fields.handoffEndpointId, null);
      const [plan] = await tx
        .insert(plans)
        .values({ ...fields, ownerId })
        .returning();
      if (!plan) throw new Error("insert into plans returned no row");
      await recordEvent(tx, { actorId: actor.id, action: "plan.created", subjectType: "plan", subjectId: plan.id, data: { name: plan.name } });
      return plan;
    })
    .catch(asNameTaken);
}

