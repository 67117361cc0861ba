"use client";

import { ErrorFallback } from "@/components/error-fallback";
import "./globals.css";

/**
 * The last resort, when the root layout itself fails (it reads the session and the brand): the
 * same fallback as app/error.tsx, in a page of its own since the layout is what failed.
 */
export default function GlobalError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 px-4 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <main>
          <ErrorFallback {...props} />
        </main>
      </body>
    </html>
  );
}
