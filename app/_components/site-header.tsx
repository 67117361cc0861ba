import { BrandMark } from "@/components/brand-mark";
import { CommandPalette } from "@/components/command-palette";
import type { Theme } from "@/components/theme/theme";
import { ThemeSwitcher } from "@/components/theme/theme-switcher";
import { Link } from "@/components/ui/link";
import type { SessionState } from "@/lib/session/header-session";
import { AccountNav } from "./account-nav";

/**
 * Rendered on the server with the session the root layout read, so the links, the account and the
 * cart count are in the HTML (no skeleton, nothing moves after load). The catalogue's data stays
 * cached (lib/catalogue/cached.ts) even though the pages around it are rendered per request.
 */
export function SiteHeader({ session, theme }: { session: SessionState; theme: Theme }) {
  return (
    <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80" data-testid="site-header">
      {/* One row whatever is in it: the bar does not wrap, and only the portal's name (the first
          child) gives way, cut with an ellipsis. Below lg with the Menu open it wraps, so the links
          and account stack under the bar. Below 380 px the gaps narrow so that a signed-out
          visitor's five controls (search, Cart, Sign in, Menu) leave room for the name. */}
      <div className="mx-auto flex max-w-(--page-max) flex-nowrap items-center gap-x-4 gap-y-3 px-4 py-3 max-[379px]:gap-x-3 max-lg:has-[#site-menu-button[aria-expanded=true]]:flex-wrap sm:gap-x-6 sm:px-6 [&>*:not(:first-child)]:shrink-0">
        {/* A long portal name (up to 40 characters) is cut with an ellipsis, so the links stay on one
            row at 1280 px and nothing is wider than a phone; the whole name is its title. */}
        <Link
          href="/"
          className="min-w-0 max-w-[55%] text-lg font-bold tracking-tight text-[color:var(--brand-accent,#4f46e5)] sm:max-w-48 lg:max-w-52 dark:text-zinc-100"
        >
          <BrandMark />
        </Link>
        <CommandPalette />
        <AccountNav session={session} theme={theme} />
        {/* Below lg the theme choice sits in the Menu (AccountNav), keeping the bar one row. */}
        <ThemeSwitcher rendered={theme} className="hidden lg:inline-flex" />
      </div>
    </header>
  );
}
