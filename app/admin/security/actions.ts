"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { secondFactorPolicy } from "@/db/schema";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { POLICY_LABELS, readPolicy, setSecondFactorPolicy } from "@/lib/second-factor/policy";
import { authenticatorCoverage } from "@/lib/users/user-admin";
import { coveredRoles } from "./policy-text";

const policySchema = z.object({
  policy: z.enum(secondFactorPolicy.enumValues, { error: "Choose who must use an authenticator." }),
});

/** Changing who must use an authenticator is privileged: admins only, with a code within 15 minutes. */
export const savePolicyAction = validatedActionWithUser(
  policySchema,
  async ({ policy }, actor) => {
    // For the message only; the audit event records the "from" read under the row lock.
    const from = await readPolicy(db);
    const { changed } = await setSecondFactorPolicy(db, actor, policy);
    revalidatePath("/admin/security");
    if (!changed) return { ok: true, message: `Nothing changed: “${POLICY_LABELS[policy]}” was already the policy.` };
    const coverage = await authenticatorCoverage(db);
    const without = coveredRoles(policy).reduce((n, role) => n + coverage[role].without, 0);
    const next =
      policy === "no_one"
        ? "Nobody is sent to set up an authenticator; those who have one are still asked for a code before privileged actions."
        : without === 0
          ? "Everyone it covers already has an authenticator."
          : `${without} ${without === 1 ? "person it covers has" : "people it covers have"} no authenticator yet: they are sent to set one up at their next page.`;
    return { ok: true, message: `Saved: the policy is now “${POLICY_LABELS[policy]}” (it was “${POLICY_LABELS[from]}”). ${next}` };
  },
  { roles: ["admin"], stepUp: true },
);
