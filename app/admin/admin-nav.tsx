"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export function AdminNav({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();
  const links = [
    { href: "/admin", label: "Overview" },
    { href: "/admin/requests", label: "Approval queue" },
    { href: "/admin/reviews", label: "Reviews" },
    { href: "/admin/keys", label: "Keys" },
    { href: "/admin/products", label: "Products" },
    { href: "/admin/plans", label: "Plans" },
    ...(isAdmin
      ? [
          { href: "/admin/audit", label: "Audit log" },
          { href: "/admin/users", label: "Users" },
          { href: "/admin/security", label: "Security" },
          { href: "/admin/api-keys", label: "API access keys" },
          { href: "/admin/webhooks", label: "Webhooks" },
          { href: "/admin/emails", label: "Email delivery" },
          { href: "/admin/settings/emails", label: "Email subjects" },
          { href: "/admin/branding", label: "Branding" },
        ]
      : []),
  ];
  return (
    <nav aria-label="Admin" className="relative flex gap-2 overflow-x-auto lg:flex-col">
      {links.map((l) => {
        const active = l.href === "/admin" ? pathname === "/admin" : pathname.startsWith(l.href);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "whitespace-nowrap rounded-md px-3 py-2 text-sm",
              active
                ? "bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
            )}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
