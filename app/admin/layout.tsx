import type { ReactNode } from "react";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";

// Every admin page is for owners and admins; each page and action checks again on its own.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireRole(APPROVER_ROLES, "/admin");
  return <div>{children}</div>;
}
