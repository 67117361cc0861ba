import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { POLICY_LABELS, readPolicy } from "@/lib/second-factor/policy";
import { authenticatorCoverage } from "@/lib/users/user-admin";
import { PolicyForm, type PolicyChoice } from "./policy-form";
import { POLICY_ORDER, POLICY_WHO, coveredRoles } from "./policy-text";

export const metadata: Metadata = { title: "Sign-in policy" };

export default async function SecurityPage() {
  await requireRole(["admin"], "/admin/security");
  const [policy, coverage] = await Promise.all([readPolicy(db), authenticatorCoverage(db)]);
  const choices: PolicyChoice[] = POLICY_ORDER.map((value) => {
    const roles = coveredRoles(value);
    return {
      value,
      label: POLICY_LABELS[value],
      who: POLICY_WHO[value],
      people: roles.reduce((n, r) => n + coverage[r].people, 0),
      without: roles.reduce((n, r) => n + coverage[r].without, 0),
    };
  });
  return (
    <>
      <PageHeader
        title="Sign-in policy"
        description={
          <>
            Who must use an authenticator app (a second factor) besides the email link. Whoever has one is asked for a code before
            privileged actions (deciding requests, revoking keys, roles, API access keys, webhook secrets, this policy) unless
            they entered one in the last 15 minutes. Reset a person&apos;s authenticator from{" "}
            <Link href="/admin/users" className="text-indigo-600 dark:text-indigo-400 underline">
              Users
            </Link>
            .
          </>
        }
      />
      <PolicyForm current={policy} choices={choices} />
    </>
  );
}
