import { notFound } from "next/navigation";

// Target of proxy.ts for addresses that cannot exist; renders the 404 page with a 404 status.
export const dynamic = "force-dynamic";

export default function Missing() {
  notFound();
}
