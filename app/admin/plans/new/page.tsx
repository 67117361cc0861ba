import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { listHandoffEndpoints } from "@/lib/plans/handoff-endpoints";
import { planFormValues } from "@/lib/plans/plan-schema";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "New plan" };

export default async function NewPlanPage() {
  await requireRole(APPROVER_ROLES, "/admin/plans/new");
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/plans", label: "Plans" }} current="New" />
      <PageHeader title="New plan" description="Offer it on your products from each product's page." />
      <PlanForm defaults={planFormValues()} endpoints={await listHandoffEndpoints(db)} />
    </>
  );
}
