import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cachedProduct } from "@/lib/catalogue/cached";
import { snippetTarget } from "@/lib/catalogue/snippets";
import { env } from "@/lib/env";
import { cachedOpenApi } from "@/lib/products/cached";
import { ProductView } from "../../product-view";
import { AddToCart } from "./add-to-cart";

// Rendered per request (the root layout reads the session for the header); the product itself
// comes from the data cache (lib/catalogue/cached.ts, tag `catalogue`), so it costs no query.

const slugPattern = /^[a-z0-9][a-z0-9-]{0,99}$/;

async function load(slug: string) {
  // Anything that cannot be a slug is a 404 without a query.
  if (!slugPattern.test(slug)) return null;
  return cachedProduct(slug);
}

export async function generateMetadata({ params }: PageProps<"/apis/[slug]">): Promise<Metadata> {
  const product = await load((await params).slug);
  return product ? { title: product.name, description: product.summary } : { title: "Not found" };
}

export default async function ProductPage({ params }: PageProps<"/apis/[slug]">) {
  const product = await load((await params).slug);
  if (!product) notFound();
  const openapi = await cachedOpenApi(product.slug);
  return (
    <ProductView
      product={product}
      openapi={openapi}
      snippetTarget={snippetTarget(product, openapi, env.baseUrl)}
      planAction={(plan) => <AddToCart productId={product.id} planId={plan.id} planName={plan.name} />}
    />
  );
}
