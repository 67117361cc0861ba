import type { Metadata } from "next";
import { notFound } from "next/navigation";

// Target of proxy.ts for addresses that cannot exist; renders the 404 page with a 404 status.
export const dynamic = "force-dynamic";
// app/not-found.tsx names the tab for an address no route has; for a notFound() from a page, such as
// this one, the page's own metadata is the one that counts.
export const metadata: Metadata = { title: "Page not found" };

export default function Missing() {
  notFound();
}
