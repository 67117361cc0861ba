import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { getEditablePlan } from "@/lib/plans/get-plan";
import { listHandoffEndpoints } from "@/lib/plans/handoff-endpoints";
import { planFormValues, planIdSchema } from "@/lib/plans/plan-schema";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "Edit plan" };

export default async function EditPlanPage({ params, searchParams }: PageProps<"/admin/plans/[id]">) {
  const { id } = await params;
  const user = await requireRole(APPROVER_ROLES, `/admin/plans/${id}`);
  const parsed = planIdSchema.safeParse(id);
  const plan = parsed.success ? await getEditablePlan(db, user, parsed.data) : null;
  if (!plan) notFound();
  const created = (await searchParams).created === "1";
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/plans", label: "Plans" }} current={plan.name} />
      <PageHeader
        title={plan.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>Changes apply to new requests. Requests already submitted keep the settings they were submitted under.</span>
            <AuditTimelineLink subjectType="plan" subjectId={plan.id} viewerRole={user.role} />
          </span>
        }
      />
      {created ? (
        <p role="status" className="mb-6 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">
          Plan created. Offer it on a product from the product&apos;s page.
        </p>
      ) : null}
      <PlanForm id={plan.id} defaults={planFormValues(plan)} endpoints={await listHandoffEndpoints(db)} />
    </>
  );
}
