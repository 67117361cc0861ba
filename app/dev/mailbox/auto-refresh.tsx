"use client";

import { useRouter } from "next/navigation";
import { useEffect, useTransition } from "react";
import { Button } from "@/components/ui/button";

/** Messages arrive from the job queue a moment after the action; refresh every few seconds. */
export function AutoRefresh() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    const id = setInterval(() => router.refresh(), 3000);
    return () => clearInterval(id);
  }, [router]);
  return (
    <Button variant="secondary" onClick={() => startTransition(() => router.refresh())} disabled={pending}>
      {pending ? "Refreshing…" : "Refresh"}
    </Button>
  );
}
