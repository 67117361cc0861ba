"use client";

import { useEffect, useRef } from "react";
import { toast } from "@/components/toast";
import { focusWasDropped } from "@/components/use-focus-back";

/** Sent by a line's Remove (remove-from-cart.tsx) as it submits, with the line's key. */
export const CART_REMOVING = "portico:cart-removing";

type Line = { key: string; name: string };

/**
 * What left the cart, said in a toast, and where the keyboard focus goes then. A Remove button takes
 * its line with it when it succeeds, so its own state never renders again (and its form, a server
 * action, still works without JavaScript): the page, which outlives its lines, does both. The focus
 * moves only after a Remove on this page, and only when it fell to <body>: to the line that took the
 * removed one's place (else the one before it), or to the page's heading once the cart is empty.
 */
export function CartChanges({ lines }: { lines: Line[] }) {
  const last = useRef(lines);
  const removing = useRef<string | null>(null);
  useEffect(() => {
    const remember = (event: Event) => {
      removing.current = (event as CustomEvent<string>).detail;
    };
    window.addEventListener(CART_REMOVING, remember);
    return () => window.removeEventListener(CART_REMOVING, remember);
  }, []);
  useEffect(() => {
    const before = last.current;
    last.current = lines;
    const removed = before.filter((b) => !lines.some((l) => l.key === b.key));
    if (removed.length === 0) return;
    toast.success(`${removed.map((r) => r.name).join(", ")} removed from your cart.`);
    const asked = removing.current;
    removing.current = null;
    if (!asked || !removed.some((r) => r.key === asked) || !focusWasDropped()) return;
    const at = before.findIndex((b) => b.key === asked);
    const next = before.slice(at + 1).find((b) => lines.some((l) => l.key === b.key)) ?? before.slice(0, at).reverse().find((b) => lines.some((l) => l.key === b.key));
    const button = next ? document.querySelector<HTMLElement>(`[data-cart-remove="${CSS.escape(next.key)}"]`) : null;
    if (button) return button.focus();
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [lines]);
  return null;
}
