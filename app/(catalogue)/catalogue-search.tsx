import { accentFill, Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { tagLabel } from "@/lib/catalogue/tag-label";

/** Plain GET form: search works without JavaScript and every view has a shareable URL. */
export function CatalogueSearch({ q, tag, tags }: { q: string; tag: string | undefined; tags: string[] }) {
  const tagHref = (t: string | undefined) => {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (t) params.set("tag", t);
    const s = params.toString();
    return s ? `/apis?${s}` : "/apis";
  };
  return (
    <div className="mb-8 space-y-4">
      <form action="/apis" role="search" className="flex gap-2">
        <label htmlFor="catalogue-q" className="sr-only">
          Search APIs
        </label>
        <Input id="catalogue-q" name="q" type="search" defaultValue={q} placeholder="Name, summary or tag" maxLength={200} />
        {tag ? <input type="hidden" name="tag" value={tag} /> : null}
        <Button type="submit">Search</Button>
      </form>
      <nav aria-label="Filter by tag" className="flex flex-wrap gap-2">
        {[undefined, ...tags].map((t) => {
          const active = t === tag;
          return (
            // A plain link: a tag changes the query string, which must reach the server (see proxy.ts).
            <a
              key={t ?? "all"}
              href={tagHref(t)}
              aria-current={active ? "page" : undefined}
              className={cn(
                "rounded-full border px-3 py-1 text-sm",
                active
                  ? `border-transparent ${accentFill}`
                  : "border-zinc-300 text-zinc-700 hover:border-indigo-400 dark:border-zinc-700 dark:text-zinc-300",
              )}
            >
              {t === undefined ? "All" : tagLabel(t)}
            </a>
          );
        })}
      </nav>
    </div>
  );
}
