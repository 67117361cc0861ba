"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { Theme } from "@/components/theme/theme";
import { ThemeSwitcher } from "@/components/theme/theme-switcher";
import { toast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Link } from "@/components/ui/link";
import type { SessionState } from "@/lib/session/header-session";
import { AccountMenu } from "./account-menu";

const linkClass = "text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white";
// The link of the section you are in: marked for assistive technology and drawn darker and underlined
// in the accent, so the header says where you are as the admin sidebar does. Not bolder: a heavier
// word is wider, and at some widths (1008 px on My requests, 840 px on APIs) the bar wrapped to
// another row as you entered a section (e2e/polish-adversary.spec.ts).
const currentClass = "text-zinc-950 dark:text-white";
const currentLine = "underline decoration-2 decoration-indigo-500 underline-offset-[6px] dark:decoration-indigo-400";

/** The header link whose section holds `pathname` (a product page is under APIs, a request under My requests). */
function sectionOf(pathname: string): string | null {
  const sections = ["/apis", "/apps", "/requests", "/admin", "/dev/mailbox", "/cart"];
  return sections.find((s) => pathname === s || pathname.startsWith(`${s}/`)) ?? null;
}

/**
 * Role-aware links and sign-in state, as the root layout read them (lib/session/header-session.ts):
 * in the HTML from the first paint. Showing a link is convenience; every page checks access itself.
 * Below lg (1024 px) the links and account sit behind a Menu button (a disclosure); the cart stays
 * in view. An admin's links, account, search and theme need about 1000 px: from sm (640 px), where
 * they used to show, they wrapped the bar into two or three rows up to about 900 px.
 */
export function AccountNav({ session, theme }: { session: SessionState; theme: Theme }) {
  const router = useRouter();
  // What /api/session answered since the layout last rendered; a new render of the layout wins.
  const [fetched, setFetched] = useState<SessionState | null>(null);
  const [rendered, setRendered] = useState(session);
  if (rendered !== session) {
    setRendered(session);
    setFetched(null);
  }
  const state = fetched ?? session;
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  // Following a link closes the menu.
  const [menuPath, setMenuPath] = useState(pathname);
  if (menuPath !== pathname) {
    setMenuPath(pathname);
    setMenuOpen(false);
  }
  const { unavailable, mergePending } = session;
  // The cart page merges by itself (MergeCart), saying what it could not add: no second merge here.
  const merging = mergePending && pathname !== "/cart";
  useEffect(() => {
    if (!unavailable && !merging) return;
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // Not knowing who is signed in (the database away) is not "signed out": say so and ask again
    // every few seconds. A signed-out cart left in its cookie is merged by the same request.
    const load = () => {
      fetch("/api/session", { cache: "no-store" })
        .then((r) => {
          if (!r.ok) throw new Error(`session ${r.status}`);
          return r.json() as Promise<SessionState>;
        })
        .then((s) => {
          if (!live) return;
          setFetched(s);
          // What the merge could not add (a plan withdrawn since, a rule against the cart) is said, not dropped.
          if (s.cartNotice) toast.info(s.cartNotice);
          if (merging) router.refresh();
        })
        .catch(() => {
          if (live) retry = setTimeout(load, 3000);
        });
    };
    load();
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [unavailable, merging, router]);

  const section = sectionOf(pathname);
  // `underlined: false`: the link underlines its words itself (Cart: a line under the whole link ran
  // under its count's badge too, a flex item the decoration reaches).
  const navLink = (href: string, extra = "", underlined = true) => ({
    href,
    // cn (tailwind-merge): the current colours replace linkClass's, whatever the stylesheet's order.
    className: cn(linkClass, section === href && currentClass, section === href && underlined && currentLine, extra),
    // "page" only where the link leads to the page you are on; on a page inside the section (a product
    // under APIs, /admin/users under Admin) it is "true": "current", not "current page", since
    // following it goes elsewhere (and the admin sidebar's link is the current page there).
    "aria-current": section === href ? (pathname === href ? ("page" as const) : ("true" as const)) : undefined,
  });
  const user = state.user;
  const isApprover = user?.role === "owner" || user?.role === "admin";
  // Below the lg breakpoint the links (and a signed-in account) are hidden unless the menu is open,
  // then stack under the bar. Sign in stays in the bar.
  const collapsible = `${menuOpen ? "flex" : "hidden"} order-last w-full lg:order-none lg:flex lg:w-auto`;
  const closeOnEscape = (event: React.KeyboardEvent) => {
    // An Escape that closed a menu inside (account, theme) reaches here through React's tree but
    // was already used: Radix marks it handled. Only the next Escape closes this one.
    if (event.key === "Escape" && menuOpen && !event.defaultPrevented) {
      setMenuOpen(false);
      menuButton.current?.focus();
    }
  };
  return (
    <>
      <button
        ref={menuButton}
        // The header's bar wraps while this is expanded (app/_components/site-header.tsx).
        id="site-menu-button"
        type="button"
        className="inline-flex h-8 items-center gap-1 rounded-md border border-zinc-300 px-2.5 text-sm text-zinc-800 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 max-[379px]:px-2 order-4 lg:order-none lg:hidden dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-900"
        aria-expanded={menuOpen}
        aria-controls="site-menu-links site-menu-account"
        onClick={() => setMenuOpen((open) => !open)}
        onKeyDown={closeOnEscape}
      >
        {/* Below 380 px only the icon shows (the name stays "Menu"): a signed-out bar has Sign in too. */}
        <span aria-hidden="true">{menuOpen ? "✕" : "☰"}</span> <span className="max-[379px]:sr-only">Menu</span>
      </button>
      <nav
        id="site-menu-links"
        aria-label="Main"
        onKeyDown={closeOnEscape}
        className={`${collapsible} flex-col gap-1 text-sm [&>a]:py-1.5 lg:[&>a]:py-0 lg:flex-1 lg:flex-row lg:items-center lg:gap-4 lg:whitespace-nowrap`}
      >
        <Link {...navLink("/apis")}>
          APIs
        </Link>
        {user ? (
          <>
            <Link {...navLink("/apps")}>
              Apps
            </Link>
            <Link {...navLink("/requests")}>
              My requests
            </Link>
          </>
        ) : null}
        {isApprover ? (
          <Link {...navLink("/admin")}>
            Admin
          </Link>
        ) : null}
        {state.devMailbox ? (
          <Link {...navLink("/dev/mailbox")}>
            Dev mailbox
          </Link>
        ) : null}
        <div className="pt-1 lg:hidden">
          <ThemeSwitcher rendered={theme} className="inline-flex -ml-2" testId="theme-switcher-menu" />
        </div>
      </nav>
      <Link {...navLink("/cart", "order-2 ml-auto inline-flex items-center gap-1 text-sm lg:order-none lg:ml-0", false)} data-testid="cart-link">
        <span className={section === "/cart" ? currentLine : undefined}>Cart</span>
        {state.cartCount > 0 ? (
          <span
            className="rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white"
            aria-label={`${state.cartCount} ${state.cartCount === 1 ? "item" : "items"}`}
            data-testid="cart-count"
          >
            {state.cartCount}
          </span>
        ) : null}
      </Link>
      <div
        id="site-menu-account"
        onKeyDown={closeOnEscape}
        className={`${user ? `${collapsible} border-t border-zinc-200 pt-3 lg:border-0 lg:pt-0 dark:border-zinc-800` : "order-3 flex lg:order-none"} min-h-8 flex-wrap items-center gap-3 text-sm`}
      >
        {state.unavailable && !user ? (
          <span role="status" data-testid="account-unavailable" className="text-zinc-600 dark:text-zinc-400">
            Account unavailable, retrying…
          </span>
        ) : user ? (
          <AccountMenu user={user} />
        ) : (
          <Button asChild size="sm">
            <Link href={`/signin?callbackUrl=${encodeURIComponent(pathname)}`}>Sign in</Link>
          </Button>
        )}
      </div>
    </>
  );
}
