"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { signOutAction } from "@/app/(auth)/signin/actions";
import type { SessionState } from "@/app/api/session/route";
import { Button } from "./ui/button";

const linkClass = "text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white";

/** Role-aware links and sign-in state. Showing a link is convenience; every page checks access itself. */
export function AccountNav() {
  const [state, setState] = useState<SessionState | null>(null);
  const pathname = usePathname();
  useEffect(() => {
    let live = true;
    const load = () =>
      fetch("/api/session", { cache: "no-store" })
        .then((r) => r.json() as Promise<SessionState>)
        .then((s) => live && setState(s))
        .catch(() => live && setState({ user: null, cartCount: 0, devMailbox: false }));
    void load();
    window.addEventListener("portico:cart-changed", load);
    return () => {
      live = false;
      window.removeEventListener("portico:cart-changed", load);
    };
  }, [pathname]);

  const user = state?.user;
  const isApprover = user?.role === "owner" || user?.role === "admin";
  return (
    <>
      <nav aria-label="Main" className="flex flex-1 flex-wrap items-center gap-4 text-sm">
        <Link href="/apis" className={linkClass}>
          APIs
        </Link>
        {user ? (
          <>
            <Link href="/apps" className={linkClass}>
              Apps
            </Link>
            <Link href="/requests" className={linkClass}>
              My requests
            </Link>
          </>
        ) : null}
        {isApprover ? (
          <Link href="/admin" className={linkClass}>
            Admin
          </Link>
        ) : null}
        {state?.devMailbox ? (
          <Link href="/dev/mailbox" className={linkClass}>
            Dev mailbox
          </Link>
        ) : null}
      </nav>
      <div className="flex min-h-8 items-center gap-3 text-sm">
        <Link href="/cart" className={`${linkClass} inline-flex items-center gap-1`} data-testid="cart-link">
          Cart
          {state && state.cartCount > 0 ? (
            <span
              className="rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white"
              aria-label={`${state.cartCount} ${state.cartCount === 1 ? "item" : "items"}`}
              data-testid="cart-count"
            >
              {state.cartCount}
            </span>
          ) : null}
        </Link>
        {state === null ? (
          <span className="h-8 w-20 animate-pulse rounded-md bg-zinc-200 dark:bg-zinc-800" aria-label="Loading account" />
        ) : user ? (
          <>
            <span data-testid="signed-in-as" className="text-zinc-700 dark:text-zinc-300">
              {user.name ?? user.email}
              <span className="ml-1 text-xs text-zinc-500">({user.role})</span>
            </span>
            <form action={signOutAction}>
              <Button variant="ghost" size="sm" type="submit">
                Sign out
              </Button>
            </form>
          </>
        ) : (
          <Button asChild size="sm">
            <Link href={`/signin?callbackUrl=${encodeURIComponent(pathname)}`}>Sign in</Link>
          </Button>
        )}
      </div>
    </>
  );
}
