import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Button } from "@/components/ui/button";
import { FilterActions, FilterField, ResetFiltersHint, filterBarClass } from "@/components/ui/filter-bar";
import { PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { Input } from "@/components/ui/input";
import { listManagedProducts, productListParams } from "@/lib/products/list-products";
import { ProductsTable } from "./products-table";

export const metadata: Metadata = { title: "Products" };

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
      <form role="search" aria-label="Filter products" action="/admin/products" className={`mb-4 ${filterBarClass}`}>
        <FilterField label="Search">
          <Input name="q" type="search" defaultValue={filters.q ?? ""} placeholder="Name, slug or tag" />
        </FilterField>
        <FilterField label="Status">
          <Select name="status" defaultValue={filters.status ?? ""}>
            <option value="">Any status</option>
            <option value="draft">Draft</option>
            <option value="published">Published</option>
            <option value="archived">Archived</option>
          </Select>
        </FilterField>
        <FilterActions resetHref="/admin/products" />
      </form>
      <ProductsTable
        rows={rows}
        isAdmin={isAdmin}
        empty={
          filtered
            ? {
                title: "No products match",
                body: (
                  <>
                    Try other words. <ResetFiltersHint href="/admin/products" toSee="every product" />
                  </>
                ),
              }
            : {
                title: "No products yet",
                body: (
                  <>
                    Create a product, choose the plans it offers, and publish it to the catalogue.{" "}
                    <Link href="/admin/products/new" className="font-medium text-indigo-600 underline dark:text-indigo-400">
                      Create your first product
                    </Link>
                  </>
                ),
              }
        }
      />
    </>
  );
}
