import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { planFormValues } from "@/lib/plans/plan-schema";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "New plan" };

export default async function NewPlanPage() {
  await requireRole(APPROVER_ROLES, "/admin/plans/new");
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/plans", label: "Plans" }} current="New" />
      <PageHeader title="New plan" description="Offer it on your products from each product's page." />
      <PlanForm defaults={planFormValues()} />
    </>
  );
}
