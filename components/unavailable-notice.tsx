"use client";

import { useRouter } from "next/navigation";
import { startTransition, useCallback, useEffect } from "react";
import { Button } from "@/components/ui/button";

const RETRY_EVERY_MS = 5000;

/**
 * What a page shows when Portico could not reach its database: what happened, that nothing about
 * the visitor's account changed, and a retry — by itself every few seconds, or now by hand.
 */
export function UnavailableNotice({ reset }: { reset: () => void }) {
  const router = useRouter();
  // A server component failed: fetch it again (refresh) and render it again (reset) together.
  const retry = useCallback(() => {
    startTransition(() => {
      router.refresh();
      reset();
    });
  }, [router, reset]);
  useEffect(() => {
    const timer = setInterval(retry, RETRY_EVERY_MS);
    return () => clearInterval(timer);
  }, [retry]);
  return (
    <div className="mx-auto max-w-md py-16 text-center" data-testid="unavailable">
      <h1 className="text-2xl font-semibold">Temporarily unavailable</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        Portico cannot reach its database right now, so this page could not be loaded. Nothing has signed you
        out. The page tries again by itself every few seconds, or you can try now.
      </p>
      <Button className="mt-6" onClick={retry}>
        Try again now
      </Button>
    </div>
  );
}
