import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Button } from "@/components/ui/button";

// The tab and history name the page ("Page not found · Portico"), not the catalogue's default title.
export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Page not found</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        We could not find that page. It may have been unpublished or the address may be mistyped.
      </p>
      <Button asChild className="mt-6">
        <Link href="/apis">Browse the API catalogue</Link>
      </Button>
    </div>
  );
}
