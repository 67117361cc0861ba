"use client";

import { UnavailableNotice } from "@/components/unavailable-notice";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/db/unavailable";
import "./globals.css";

/**
 * The last resort, when the root layout itself fails (it reads the session and the brand): the
 * same words as app/error.tsx, in a page of its own since the layout is what failed.
 */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 px-4 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <main>
          {error.digest === DATABASE_UNAVAILABLE_DIGEST ? (
            <UnavailableNotice reset={reset} />
          ) : (
            <div className="mx-auto max-w-md py-16 text-center">
              <h1 className="text-2xl font-semibold">Something went wrong</h1>
              <p className="mt-3 text-zinc-600 dark:text-zinc-400">
                The page could not be loaded. Try again; if it keeps happening, contact the portal&apos;s admins.
              </p>
              <button
                type="button"
                onClick={reset}
                className="mt-6 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2"
              >
                Try again
              </button>
            </div>
          )}
        </main>
      </body>
    </html>
  );
}
