import Link from "next/link";
import { Button } from "@/components/ui/button";
import { cachedProducts } from "@/lib/catalogue/cached";
import { ProductGrid } from "./product-grid";

export const revalidate = 300;

export default async function HomePage() {
  const products = await cachedProducts({});
  return (
    <>
      <section className="mb-12 max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight sm:text-5xl">Build on our APIs</h1>
        <p className="mt-4 text-lg text-zinc-600 dark:text-zinc-400">
          Find an API, pick a plan, and request access for your app. Keys arrive through a one-time link and are shown
          to you once.
        </p>
        <div className="mt-6 flex gap-3">
          <Button asChild>
            <Link href="/apis">Browse all APIs</Link>
          </Button>
        </div>
      </section>
      <h2 className="mb-4 text-xl font-semibold">Featured APIs</h2>
      <ProductGrid products={products.slice(0, 6)} filtered={false} />
    </>
  );
}
