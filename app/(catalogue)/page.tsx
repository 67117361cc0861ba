import { Link } from "@/components/ui/link";
import { ProductCard } from "@/components/product-card";
import { accentFill, Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { getBranding } from "@/lib/branding/get-branding";
import { cachedCategories, cachedFeaturedProducts, cachedProducts } from "@/lib/catalogue/cached";
import { tagLabel } from "@/lib/catalogue/tag-label";

// Served from the static cache (nothing here depends on who is looking); refreshed by the catalogue tag.
export const revalidate = 300;

const STEPS = [
  { title: "Find an API", body: "Browse the catalogue or search for what you need, then read its reference and pick a plan." },
  { title: "Request access", body: "Put it in your cart, choose one of your apps and send the request. Some plans are approved at once; others by the API's owner." },
  { title: "Get your key", body: "Once approved, generate your key from the request page or the one-time link in your email. It is shown to you once." },
];

export default async function HomePage() {
  const [brand, featured, categories] = await Promise.all([getBranding(), cachedFeaturedProducts(), cachedCategories()]);
  // Nothing featured yet: the first few products rather than an empty shelf.
  const shown = featured.length > 0 ? featured : (await cachedProducts({})).slice(0, 6);
  return (
    <>
      <section aria-labelledby="home-title" className="mb-14 max-w-3xl wrap-break-word">
        <h1 id="home-title" className="text-3xl font-bold tracking-tight sm:text-5xl">
          {brand.headline}
        </h1>
        <p className="mt-4 text-lg text-zinc-600 dark:text-zinc-400">
          Browse {brand.name}&rsquo;s APIs, read each one&rsquo;s reference, and request access for your apps.
        </p>
        <form action="/apis" role="search" className="mt-6 flex max-w-xl gap-2">
          <label htmlFor="home-q" className="sr-only">
            Search APIs
          </label>
          <Input id="home-q" name="q" type="search" placeholder="Name, summary or tag" maxLength={200} />
          <Button type="submit">Search</Button>
        </form>
        <p className="mt-4 text-sm">
          <Link href="/apis" className="font-medium text-indigo-700 underline dark:text-indigo-300">
            Browse all APIs
          </Link>
        </p>
      </section>

      {shown.length > 0 ? (
        <section aria-labelledby="featured-title" className="mb-14">
          <h2 id="featured-title" className="mb-4 text-xl font-semibold">
            {featured.length > 0 ? "Featured APIs" : "APIs"}
          </h2>
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label={featured.length > 0 ? "Featured APIs" : "APIs"}>
            {shown.map((p) => (
              <ProductCard key={p.slug} product={p} headingLevel={3} />
            ))}
          </ul>
        </section>
      ) : null}

      {categories.length > 0 ? (
        <section aria-labelledby="categories-title" className="mb-14">
          <h2 id="categories-title" className="mb-4 text-xl font-semibold">
            Browse by category
          </h2>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4" aria-label="Categories">
            {categories.map((c) => (
              <li key={c.tag}>
                {/* A plain link: the tag reaches the server as a query string (see proxy.ts). */}
                <a
                  href={`/apis?tag=${encodeURIComponent(c.tag)}`}
                  className="flex items-center justify-between rounded-lg border border-zinc-200 bg-white px-4 py-3 text-sm font-medium shadow-sm hover:border-indigo-300 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-indigo-700"
                >
                  <span>{tagLabel(c.tag)}</span>
                  <span className="text-xs font-normal text-zinc-600 dark:text-zinc-400">
                    {c.count} {c.count === 1 ? "API" : "APIs"}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="how-title" className="mb-6">
        <h2 id="how-title" className="mb-4 text-xl font-semibold">
          How access works
        </h2>
        <ol className="grid gap-4 sm:grid-cols-3" aria-label="How access works">
          {STEPS.map((step, i) => (
            <li key={step.title} className="rounded-lg border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
              <span aria-hidden="true" className={`mb-3 inline-flex h-8 w-8 items-center justify-center rounded-full text-sm font-semibold ${accentFill}`}>
                {i + 1}
              </span>
              <h3 className="font-semibold">{step.title}</h3>
              <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{step.body}</p>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
