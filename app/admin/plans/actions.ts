"use server";

import { revalidatePath, revalidateTag } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { CATALOGUE_TAG } from "@/lib/catalogue/cached";
import { createPlan } from "@/lib/plans/create-plan";
import { planIdSchema, planSchema } from "@/lib/plans/plan-schema";
import { updatePlan } from "@/lib/plans/update-plan";

// A plan decides how access is granted (auto-approve, approvers): as privileged as a decision.
export const createPlanAction = validatedActionWithUser(
  planSchema,
  async (_data, user, raw) => {
    const plan = await createPlan(db, user, raw);
    revalidatePath("/admin/plans");
    redirect(`/admin/plans/${plan.id}?created=1`);
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

export const updatePlanAction = validatedActionWithUser(
  // The same schema as the form, plus which plan; whether the actor may edit it is checked in updatePlan.
  planSchema.and(z.object({ id: planIdSchema })),
  async ({ id }, user, raw) => {
    await updatePlan(db, user, id, raw);
    // Product pages show each plan's limits and approval rules.
    revalidateTag(CATALOGUE_TAG, { expire: 0 });
    revalidatePath("/apis", "layout");
    revalidatePath("/admin/plans");
    revalidatePath(`/admin/plans/${id}`);
    return { ok: true, message: "Saved. New requests use these settings; requests already submitted keep theirs." };
  },
  { roles: APPROVER_ROLES, stepUp: true },
);
