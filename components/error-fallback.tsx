"use client";

import { Button } from "@/components/ui/button";
import { UnavailableNotice } from "@/components/unavailable-notice";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/db/unavailable";

/**
 * What a failed page shows (app/error.tsx, and app/global-error.tsx when the root layout itself
 * failed): the database notice when that is what failed, else "Something went wrong" with a retry.
 * Only the error's digest crosses from the server (db/unavailable.ts sets it).
 */
export function ErrorFallback({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  if (error.digest === DATABASE_UNAVAILABLE_DIGEST) return <UnavailableNotice reset={reset} />;
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        The page could not be loaded. Try again; if it keeps happening, contact the portal&apos;s admins.
      </p>
      <Button className="mt-6" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
