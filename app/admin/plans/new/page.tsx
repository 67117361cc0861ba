import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { planFormValues } from "@/lib/plans/plan-schema";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "New plan" };

export default async function NewPlanPage() {
  await requireRole(APPROVER_ROLES, "/admin/plans/new");
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-zinc-500">
        <Link href="/admin/plans" className="hover:underline">
          Plans
        </Link>{" "}
        / <span aria-current="page">New</span>
      </nav>
      <PageHeader title="New plan" description="Offer it on your products from each product's page." />
      <PlanForm defaults={planFormValues()} />
    </>
  );
}
