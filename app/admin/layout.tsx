import type { ReactNode } from "react";
import { db } from "@/db/client";
import { navCountsOrNone } from "@/lib/admin/nav-counts";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { AdminNav } from "./admin-nav";

// Every admin page is for owners and admins; each page and action checks again on its own.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireRole(APPROVER_ROLES, "/admin");
  // Not awaited: the badges stream in (AdminNav), so a slow count never holds back the page.
  const counts = navCountsOrNone(db, user);
  // data-wide-page: admin pages are tables, so the page runs wider here (app/globals.css, --page-max).
  return (
    <div data-wide-page className="grid gap-4 lg:grid-cols-[12rem_1fr] lg:gap-8">
      <AdminNav isAdmin={user.role === "admin"} counts={counts} />
      <div className="min-w-0">{children}</div>
    </div>
  );
}
