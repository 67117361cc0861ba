import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";
import { listManagedProducts } from "@/lib/products/list-products";
import { ProductStatusBadge } from "./product-status-badge";

export const metadata: Metadata = { title: "Products" };

export default async function ProductsPage() {
  const user = await requireRole(APPROVER_ROLES, "/admin/products");
  const rows = await listManagedProducts(db, user);
  const isAdmin = user.role === "admin";
  return (
    <>
      <PageHeader
        title="Products"
        description={isAdmin ? "Every API product in the portal." : "Your API products. Publish one to put it in the catalogue."}
        actions={
          <Button asChild>
            <Link href="/admin/products/new">New product</Link>
          </Button>
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No products yet">
          Create a product, choose the plans it offers, and publish it to the catalogue.{" "}
          <Link href="/admin/products/new" className="font-medium text-indigo-600 underline">
            Create your first product
          </Link>
        </EmptyState>
      ) : (
        <Table caption="Products, by name" columns={[{ label: "Product" }, { label: "Status" }, { label: "Plans" }, { label: "API reference", className: "hidden sm:table-cell" }, ...(isAdmin ? [{ label: "Owner", className: "hidden md:table-cell" }] : []), { label: "Updated", className: "hidden md:table-cell" }]}>
          {rows.map((p) => (
            <tr key={p.id} data-testid="product-row">
              <td className="py-3 pr-4">
                <Link href={`/admin/products/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                  {p.name}
                </Link>
                <div className="text-xs text-zinc-500">/apis/{p.slug}</div>
              </td>
              <td className="py-3 pr-4">
                <ProductStatusBadge status={p.status} />
              </td>
              <td className="py-3 pr-4">{p.planCount === 0 ? <Badge tone="amber">None</Badge> : p.planCount}</td>
              <td className="hidden py-3 pr-4 sm:table-cell">{p.hasOpenApi ? "Yes" : <span className="text-zinc-500">None</span>}</td>
              {isAdmin ? <td className="hidden py-3 pr-4 md:table-cell">{p.ownerEmail}</td> : null}
              <td className="hidden py-3 text-zinc-500 md:table-cell">{formatDateTime(p.updatedAt)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
