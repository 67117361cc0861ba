import { Link } from "@/components/ui/link";

/** "Parent / Current page": one level up, the way every detail and form page in Portico starts. */
export function Breadcrumb({ parent, current }: { parent: { href: string; label: string }; current: string }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-4 text-sm text-zinc-500 dark:text-zinc-400">
      <Link href={parent.href} className="hover:underline">
        {parent.label}
      </Link>{" "}
      / <span aria-current="page">{current}</span>
    </nav>
  );
}
