import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { formatDuration } from "@/lib/format";
import { listPlansFor } from "@/lib/plans/list-plans";

export const metadata: Metadata = { title: "Plans" };

export default async function PlansPage() {
  const user = await requireRole(APPROVER_ROLES, "/admin/plans");
  const rows = await listPlansFor(db, user);
  return (
    <>
      <PageHeader
        title="Plans"
        description={
          user.role === "admin"
            ? "Every plan. Changes apply to new requests; requests already submitted keep the plan they were submitted under."
            : "Your plans, and the shared plans (managed by admins) you can offer on your products."
        }
        actions={
          <Button asChild>
            <Link href="/admin/plans/new">New plan</Link>
          </Button>
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No plans yet">
          A plan sets how access is approved, how long keys last and what requesters are asked.{" "}
          <Link href="/admin/plans/new" className="font-medium text-indigo-600 dark:text-indigo-400 underline">
            Create a plan
          </Link>
        </EmptyState>
      ) : (
        <Table caption="Plans, by name" columns={[{ label: "Plan" }, { label: "Approval" }, { label: "Key lifetime", className: "hidden sm:table-cell" }, { label: "Fields", className: "hidden sm:table-cell" }, { label: "Products", className: "hidden md:table-cell" }]}>
          {rows.map((p) => (
            <tr key={p.id} data-testid="plan-row">
              <td className="py-3 pr-4">
                {p.editable ? (
                  <Link href={`/admin/plans/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                    {p.name}
                  </Link>
                ) : (
                  <span className="font-medium">{p.name}</span>
                )}
                {p.ownerId === null ? (
                  <div className="text-xs text-zinc-500 dark:text-zinc-400">Shared{p.editable ? "" : " · managed by admins"}</div>
                ) : null}
              </td>
              <td className="py-3 pr-4">
                <span className="flex flex-wrap gap-1">
                  {p.autoApprove ? <Badge tone="green">Auto-approve</Badge> : <Badge tone="amber">{p.approvalsRequired === 1 ? "1 approval" : `${p.approvalsRequired} approvals`}</Badge>}
                  {p.reviewRequired ? <Badge tone="indigo">Review</Badge> : null}
                </span>
              </td>
              <td className="hidden py-3 pr-4 sm:table-cell">{formatDuration(p.keyLifetimeDays)}</td>
              <td className="hidden py-3 pr-4 sm:table-cell">{p.fieldCount}</td>
              <td className="hidden py-3 pr-4 md:table-cell">{p.productCount}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
