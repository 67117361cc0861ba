"use client";

import { useEffect, useRef } from "react";
import { toast } from "@/components/toast";
import { focusWasDropped } from "@/components/use-focus-back";

/**
 * What left the cart, said in a toast, and where the keyboard focus goes then. A Remove button takes
 * its line with it when it succeeds, so its own state never renders again (and its form, a server
 * action, still works without JavaScript): the page, which outlives its lines, does both. Focus
 * goes to the next line's Remove button, or to the page's heading once the cart is empty, never to
 * <body>.
 */
export function CartChanges({ lines }: { lines: { key: string; name: string }[] }) {
  const keys = lines.map((l) => l.key).join("\n");
  const last = useRef(lines);
  const current = useRef(lines);
  current.current = lines;
  useEffect(() => {
    const before = last.current;
    const now = current.current;
    last.current = now;
    const removed = before.filter((b) => !now.some((l) => l.key === b.key));
    if (removed.length === 0) return;
    toast.success(`${removed.map((r) => r.name).join(", ")} removed from your cart.`);
    window.dispatchEvent(new Event("portico:cart-changed"));
    if (!focusWasDropped()) return;
    const next = document.querySelector<HTMLElement>("[data-cart-remove]:not([disabled])");
    if (next) return next.focus();
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [keys]);
  return null;
}
