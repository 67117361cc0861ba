import Link from "next/link";

export function SiteFooter() {
  return (
    <footer className="border-t border-zinc-200 py-6 text-center text-xs text-zinc-500 dark:border-zinc-800">
      <p>
        Portico — an open-source developer portal. ·{" "}
        <Link href="/docs/api" className="underline underline-offset-2 hover:text-zinc-700 dark:hover:text-zinc-300">
          Portal API reference
        </Link>
      </p>
    </footer>
  );
}
