import type { SecondFactorPolicy, UserRole } from "@/db/schema";
import { policyCovers } from "@/lib/second-factor/policy";

const ROLES: UserRole[] = ["consumer", "owner", "admin"];

/** The roles a policy covers. */
export const coveredRoles = (policy: SecondFactorPolicy): UserRole[] => ROLES.filter((role) => policyCovers(policy, role));

/** Who a policy requires an authenticator of, in words. */
export const POLICY_WHO: Record<SecondFactorPolicy, string> = {
  no_one: "Nobody is required to set one up. Anyone who has one is still asked for a code before privileged actions.",
  admins: "Admins must set one up before they can do anything else.",
  admins_and_owners: "Admins and owners (everyone who can approve access) must set one up before they can do anything else.",
  everyone: "Everyone, consumers included, must set one up before they can do anything else.",
};

/** The portal's order, strictest last. */
export const POLICY_ORDER: SecondFactorPolicy[] = ["no_one", "admins", "admins_and_owners", "everyone"];
