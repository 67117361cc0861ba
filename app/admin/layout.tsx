import type { ReactNode } from "react";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { AdminNav } from "./admin-nav";

// Every admin page is for owners and admins; each page and action checks again on its own.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireRole(APPROVER_ROLES, "/admin");
  return (
    <div className="grid gap-8 lg:grid-cols-[12rem_1fr]">
      <AdminNav isAdmin={user.role === "admin"} />
      <div className="min-w-0">{children}</div>
    </div>
  );
}
