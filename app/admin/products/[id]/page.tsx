import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound } from "next/navigation";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { DailyBarChart } from "@/components/charts/daily-bar-chart";
import { OUTCOME_STYLES } from "@/components/charts/palettes";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { getManagedProduct } from "@/lib/products/get-product";
import { offerablePlans } from "@/lib/products/offerable-plans";
import { productIdSchema } from "@/lib/products/product-schema";
import { workingKeysOfProduct } from "@/lib/products/working-keys";
import { topAppsOfProduct, usageOfProduct } from "@/lib/usage/queries";
import { ProductForm } from "../product-form";
import { ProductStatusBadge } from "../product-status-badge";
import { FeaturedToggle } from "./featured-toggle";
import { PlanArrangement } from "./plan-arrangement";
import { StatusActions } from "./status-actions";
import { EmailText } from "@/components/email-text";

export const metadata: Metadata = { title: "Edit product" };

const number = new Intl.NumberFormat("en-GB");

export default async function EditProductPage({
  params,
  searchParams,
}: PageProps<"/admin/products/[id]">) {
  const { id } = await params;
  const user = await requireRole(APPROVER_ROLES, `/admin/products/${id}`);
  const parsed = productIdSchema.safeParse(id);
  const product = parsed.success ? await getManagedProduct(db, user, parsed.data) : null;
  if (!product) notFound();
  const now = new Date();
  const [plans, usage, topApps] = await Promise.all([
    offerablePlans(db, user, product.id),
    usageOfProduct(db, user, { productId: product.id, now }),
    topAppsOfProduct(db, user, { productId: product.id, limit: 10, now }),
  ]);
  const created = (await searchParams).created === "1";
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/products", label: "Products" }} current={product.name} />
      <PageHeader
        title={product.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <ProductStatusBadge status={product.status} />
            {product.status === "published" ? (
              <Link href={`/apis/${product.slug}`} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
                View in the catalogue
              </Link>
            ) : (
              <>
                <span className="text-sm">Not in the catalogue.</span>
                {product.status === "draft" ? (
                  <Link href={`/preview/${product.id}`} className="text-sm text-indigo-600 underline dark:text-indigo-400">
                    Preview the product page
                  </Link>
                ) : null}
              </>
            )}
            <AuditTimelineLink
              subjectType="product"
              subjectId={product.id}
              viewerRole={user.role}
            />
          </span>
        }
      />
      {created ? (
        <p
          role="status"
          className="mb-6 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
        >
          Product created as a draft. Publish it below when it is ready.
        </p>
      ) : null}
      <Card className="mb-8">
        <h2 className="mb-3 font-semibold">Catalogue</h2>
        <StatusActions
          id={product.id}
          name={product.name}
          status={product.status}
          access={await workingKeysOfProduct(db, product.id)}
          recentCalls={usage ? { today: usage.days.at(-1)?.total ?? 0, yesterday: usage.days.at(-2)?.total ?? 0 } : undefined}
        />
        {product.status === "archived" ? null : (
          <div className="mt-6 border-t border-zinc-200 pt-4 dark:border-zinc-800">
            <FeaturedToggle productId={product.id} featured={product.featured} published={product.status === "published"} />
          </div>
        )}
      </Card>
      {product.status === "archived" ? null : (
        <Card className="mb-8" role="region" aria-labelledby="plan-order-title">
          <h2 id="plan-order-title" className="mb-1 font-semibold">
            Plans on the product page
          </h2>
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
            Visitors see the plans in this order. Mark one Recommended to point them to it.
          </p>
          <PlanArrangement productId={product.id} offers={product.offers} />
        </Card>
      )}
      <Card className="mb-8 space-y-6" role="region" aria-labelledby="usage-title">
        <h2 id="usage-title" className="font-semibold">
          Usage
        </h2>
        {usage ? (
          <DailyBarChart
            title="Calls per day"
            series={usage}
            styles={OUTCOME_STYLES}
            unit={["call", "calls"]}
            empty="No calls in the last 30 days. Calls appear here once gateways verify keys for this product."
            testId="product-usage"
          />
        ) : null}
        <div>
          <h3 className="mb-2 font-semibold">Top apps, last 30 days</h3>
          {topApps && topApps.length > 0 ? (
            <Table caption="The apps that called this product most in the last 30 days" columns={[{ label: "App" }, { label: "Consumer" }, { label: "Calls" }, { label: "Refused" }]}>
              {topApps.map((a) => (
                <tr key={a.appId} data-testid="top-app">
                  <td className="py-2 pr-4">{a.appName}</td>
                  <td className="py-2 pr-4">
                    <EmailText text={a.ownerEmail} />
                  </td>
                  <td className="py-2 pr-4 tabular-nums">{number.format(a.calls)}</td>
                  <td className="py-2 tabular-nums">{number.format(a.refused)}</td>
                </tr>
              ))}
            </Table>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No app has called this product in the last 30 days.</p>
          )}
        </div>
      </Card>
      {product.status === "archived" ? (
        <Card>
          <h2 className="mb-2 font-semibold">Details</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="archived-read-only">
            Archived products cannot be edited. Restore it above, then edit and publish it again.
          </p>
        </Card>
      ) : (
        <ProductForm
          product={{
            id: product.id,
            name: product.name,
            slug: product.slug,
            summary: product.summary,
            description: product.description,
            tags: product.tags,
            authMethod: product.authMethod,
            planIds: product.planIds,
            openapi: product.openapi ?? "",
          }}
          plans={plans}
        />
      )}
    </>
  );
}
