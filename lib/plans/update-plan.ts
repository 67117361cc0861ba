import type { Queryable } from "@/db/connect";
import { plans } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertManager } from "@/lib/products/product-access";
import { editablePlan, planNotFound } from "./plan-access";
import { asNameTaken, assertHandoffEndpoint, assertNameFree, parsePlan } from "./plan-checks";

const TRACKED = [
  "name",
  "description",
  "autoApprove",
  "handoffEndpointId",
  "handoffTimeoutHours",
  "redirectUrl",
  "approvalsRequired",
  "keyLifetimeDays",
  "claimLinkLifetimeHours",
  "rateLimitPerMinute",
  "quotaPerMonth",
  "enforceLimits",
  "reminderDays",
  "maxGraceHours",
  "reviewRequired",
  "reviewCommentRequired",
  "requestFields",
] as const;

/**
 * Saves a plan the actor may edit. Requests already submitted keep the plan as it was (their
 * snapshot in access_requests.plan); only new requests see the change.
 */
export async function updatePlan(db: Queryable, actor: Actor, id: string, input: unknown) {
  assertManager(actor);
  const fields = parsePlan(input);
  return db
    .transaction(async (tx) => {
      const scope = editablePlan(actor, id);
      const [before] = await tx.select().from(plans).where(scope).for("update");
      if (!before) throw planNotFound();
      const changed = TRACKED.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(fields[k]));
      if (changed.length === 0) return before;
      if (changed.includes("name")) await assertNameFree(tx, fields.name, id);
      await assertHandoffEndpoint(tx, fields.handoffEndpointId, before.handoffEndpointId);

      const [plan] = await tx
        .update(plans)
        .set({ ...fields, updatedAt: new Date() })
        .where(scope)
        .returning();
      if (!plan) throw planNotFound();
      await recordEvent(tx, {
        actorId: actor.id,
        action: "plan.updated",
        subjectType: "plan",
        subjectId: id,
        data: {
          changed,
          // Short settings go in the trail with their old and new values; the field list only as "changed".
          from: Object.fromEntries(changed.filter((k) => k !== "requestFields" && k !== "description").map((k) => [k, before[k]])),
          to: Object.fromEntries(changed.filter((k) => k !== "requestFields" && k !== "description").map((k) => [k, plan[k]])),
        },
      });
      return plan;
    })
    .catch(asNameTaken);
}

