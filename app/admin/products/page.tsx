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
import { Input } from "@/components/ui/input";
import { listManagedProducts, productListParams } from "@/lib/products/list-products";
import { ProductStatusBadge } from "./product-status-badge";

export const metadata: Metadata = { title: "Products" };

const selectClass =
  "h-10 rounded-md border border-zinc-300 bg-white px-3 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export default async function ProductsPage({ searchParams }: PageProps<"/admin/products">) {
  const user = await requireRole(APPROVER_ROLES, "/admin/products");
  const filters = productListParams.parse(await searchParams);
  const filtered = Boolean(filters.q || filters.status);
  const rows = await listManagedProducts(db, user, filters);
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
      <form role="search" action="/admin/products" className="mb-4 flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="mb-1 block font-medium">Search</span>
          <Input name="q" type="search" defaultValue={filters.q ?? ""} placeholder="Name, slug or tag" className="w-72 max-w-full" />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium">Status</span>
          <select name="status" defaultValue={filters.status ?? ""} className={selectClass}>
            <option value="">Any status</option>
            <option value="draft">Draft</option>
            <option value="published">Published</option>
            <option value="archived">Archived</option>
          </select>
        </label>
        <Button type="submit" variant="secondary">
          Search
        </Button>
        {filtered ? (
          <Link href="/admin/products" className="h-10 content-center text-sm text-indigo-600 underline">
            Clear
          </Link>
        ) : null}
      </form>
      {rows.length === 0 && filtered ? (
        <EmptyState title="No products match">
          Try other words, or{" "}
          <Link href="/admin/products" className="font-medium text-indigo-600 underline">
            see every product
          </Link>
          .
        </EmptyState>
      ) : rows.length === 0 ? (
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
