import Link from "next/link";
import { AccountNav } from "./account-nav";
import { BrandMark } from "./brand-mark";

/**
 * The header is the same for everyone, so catalogue pages can be served from the static cache;
 * who is signed in is filled in by AccountNav in the browser.
 */
export function SiteHeader() {
  return (
    <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-3 sm:gap-x-6 px-4 py-3 sm:px-6">
        <Link
          href="/"
          className="text-lg font-bold tracking-tight text-[color:var(--brand-accent,#4f46e5)] dark:text-zinc-100"
        >
          <BrandMark />
        </Link>
        <AccountNav />
      </div>
    </header>
  );
}
