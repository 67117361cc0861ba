"use client";

import { Link } from "@/components/ui/link";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "@/components/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import { ProductStatusBadge } from "./product-status-badge";
import { EmailText } from "@/components/email-text";

export type ProductTableRow = {
  id: string;
  name: string;
  slug: string;
  status: "draft" | "published" | "archived";
  ownerEmail: string;
  planCount: number;
  hasOpenApi: boolean;
  updatedAt: Date;
};

/** /admin/products on the shared DataTable: by name, the owner column for admins only. */
export function ProductsTable({ rows, isAdmin, empty }: { rows: ProductTableRow[]; isAdmin: boolean; empty: { title: string; body?: ReactNode } }) {
  const columns: DataTableColumn<ProductTableRow>[] = [
    {
      id: "product",
      label: "Product",
      phone: "title",
      hideable: false,
      cell: (p) => (
        <>
          <Link href={`/admin/products/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            {p.name}
          </Link>
          <div className="text-xs text-zinc-500 dark:text-zinc-400">/apis/{p.slug}</div>
        </>
      ),
    },
    { id: "status", label: "Status", cell: (p) => <ProductStatusBadge status={p.status} /> },
    { id: "plans", label: "Plans", cell: (p) => (p.planCount === 0 ? <Badge tone="amber">None</Badge> : p.planCount) },
    {
      id: "reference",
      label: "API reference",
      phone: "hidden",
      cell: (p) => (p.hasOpenApi ? "Yes" : <span className="text-zinc-500 dark:text-zinc-400">None</span>),
    },
    ...(isAdmin ? [{ id: "owner", label: "Owner", phone: "hidden" as const, cell: (p: ProductTableRow) => <EmailText text={p.ownerEmail} /> }] : []),
    { id: "updated", label: "Updated", phone: "hidden", cell: (p) => <span className="text-zinc-500 dark:text-zinc-400">{formatDateTime(p.updatedAt)}</span> },
  ];
  return <DataTable rows={rows} columns={columns} getRowId={(p) => p.id} caption="Products, by name" rowTestId="product-row" empty={empty} />;
}
