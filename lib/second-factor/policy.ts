import { eq } from "drizzle-orm";
import type { Database, Queryable } from "@/db/connect";
import { type SecondFactorPolicy, securitySettings, type UserRole } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";

export const DEFAULT_POLICY: SecondFactorPolicy = "admins_and_owners";

export const POLICY_LABELS: Record<SecondFactorPolicy, string> = {
  admins: "Admins",
  admins_and_owners: "Admins and owners",
  everyone: "Everyone",
  no_one: "No one",
};

/** The roles a policy requires an authenticator of. */
export function policyCovers(policy: SecondFactorPolicy, role: UserRole) {
  switch (policy) {
    case "everyone":
      return true;
    case "admins_and_owners":
      return role === "admin" || role === "owner";
    case "admins":
      return role === "admin";
    case "no_one":
      return false;
  }
}

/** The portal's policy: the default until an admin first saves one. */
export async function readPolicy(db: Queryable): Promise<SecondFactorPolicy> {
  const [row] = await db.select({ policy: securitySettings.secondFactorPolicy }).from(securitySettings).where(eq(securitySettings.id, true));
  return row?.policy ?? DEFAULT_POLICY;
}

/** Admins only; the change and its audit event commit together (the action asks for a step-up first). */
export async function setSecondFactorPolicy(db: Database, actor: Actor, policy: SecondFactorPolicy) {
  assertCan(actor, "user.admin", null);
  return db.transaction(async (tx) => {
    // FOR UPDATE on the one row: two admins saving at once audit the right "from".
    await tx.insert(securitySettings).values({ id: true }).onConflictDoNothing();
    const [before] = await tx.select().from(securitySettings).where(eq(securitySettings.id, true)).for("update");
    const from = before?.secondFactorPolicy ?? DEFAULT_POLICY;
    if (from === policy) return { changed: false, policy };
    await tx
      .update(securitySettings)
      .set({ secondFactorPolicy: policy, updatedAt: new Date(), updatedById: actor.id })
      .where(eq(securitySettings.id, true));
    await recordEvent(tx, {
      actorId: actor.id,
      action: "security_policy.changed",
      subjectType: "setting",
      subjectId: "second_factor_policy",
      data: { from, to: policy },
    });
    return { changed: true, policy };
  });
}
