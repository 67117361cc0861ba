"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";

/**
 * The request's detail panel's frame: beside the table from 1024 px (sticky, scrolling on its own),
 * a full-screen sheet below that so it opens in view on a phone. Escape closes it (unless a dialog
 * of its own, such as the revoke confirmation, is open); the queue then puts focus back on the row.
 */
export function PanelSheet({ closeHref, children }: { closeHref: string; children: ReactNode }) {
  const router = useRouter();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      router.push(closeHref, { scroll: false });
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [closeHref, router]);
  return (
    <div
      data-testid="panel-sheet"
      className="max-lg:fixed max-lg:inset-0 max-lg:z-40 max-lg:overflow-y-auto max-lg:bg-white max-lg:p-2 lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto dark:max-lg:bg-zinc-900"
    >
      {children}
    </div>
  );
}
