import Link from "next/link";
import { currentUser } from "@/lib/auth/guards";
import { devMailboxEnabled } from "@/lib/mail/transport-from-env";
import { signOutAction } from "@/app/(auth)/signin/actions";
import { Button } from "./ui/button";

export async function SiteHeader() {
  const user = await currentUser();
  const isApprover = user?.role === "owner" || user?.role === "admin";
  return (
    <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className="text-lg font-bold tracking-tight text-indigo-600 dark:text-indigo-400">
          Portico
        </Link>
        <nav aria-label="Main" className="flex flex-1 flex-wrap items-center gap-4 text-sm">
          <Link href="/apis" className="text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white">
            APIs
          </Link>
          {isApprover ? (
            <Link href="/admin" className="text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white">
              Admin
            </Link>
          ) : null}
          {devMailboxEnabled() ? (
            <Link href="/dev/mailbox" className="text-zinc-500 hover:text-zinc-950 dark:text-zinc-400 dark:hover:text-white">
              Dev mailbox
            </Link>
          ) : null}
        </nav>
        {user ? (
          <div className="flex items-center gap-3 text-sm">
            <span data-testid="signed-in-as" className="text-zinc-700 dark:text-zinc-300">
              {user.name ?? user.email}
              <span className="ml-1 text-xs text-zinc-500">({user.role})</span>
            </span>
            <form action={signOutAction}>
              <Button variant="ghost" size="sm" type="submit">
                Sign out
              </Button>
            </form>
          </div>
        ) : (
          <Button asChild size="sm">
            <Link href="/signin">Sign in</Link>
          </Button>
        )}
      </div>
    </header>
  );
}
