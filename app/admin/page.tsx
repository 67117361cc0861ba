import { count, eq } from "drizzle-orm";
import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { plans, products, users } from "@/db/schema";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminHome() {
  const user = await requireRole(APPROVER_ROLES, "/admin");
  const mine = user.role === "admin" ? undefined : eq(products.ownerId, user.id);
  const [[productCount], [planCount], [userCount]] = await Promise.all([
    db.select({ n: count() }).from(products).where(mine),
    db.select({ n: count() }).from(plans),
    db.select({ n: count() }).from(users),
  ]);
  const stats = [
    { label: user.role === "admin" ? "Products" : "Your products", value: productCount?.n ?? 0 },
    { label: "Plans", value: planCount?.n ?? 0 },
    { label: "Users", value: userCount?.n ?? 0 },
  ];
  return (
    <>
      <PageHeader title="Admin portal" description={`Signed in as ${user.name ?? user.email} (${user.role}).`} />
      <div className="grid gap-4 sm:grid-cols-3">
        {stats.map((s) => (
          <Card key={s.label}>
            <p className="text-sm text-zinc-500">{s.label}</p>
            <p className="mt-1 text-3xl font-semibold">{s.value}</p>
          </Card>
        ))}
      </div>
      <p className="mt-8 text-sm text-zinc-600 dark:text-zinc-400">
        The approval queue, products and plans arrive next. Meanwhile, see the{" "}
        <Link href="/apis" className="text-indigo-600 underline">
          public catalogue
        </Link>
        .
      </p>
    </>
  );
}
