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
      <div className="mx-auto flex max-w-(--page-max) flex-wrap items-center gap-x-4 gap-y-3 sm:gap-x-6 px-4 py-3 sm:px-6">
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
        {/* On a phone the theme choice sits in the Menu (AccountNav), keeping the bar one row. */}
        <ThemeSwitcher rendered={theme} className="hidden sm:inline-flex" />
      </div>
    </header>
  );
}
