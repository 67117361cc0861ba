import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApiReference } from "@/components/api-reference/api-reference";
import { Markdown } from "@/components/markdown";
import { authMethodLabel } from "@/components/product-card";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { cachedProduct } from "@/lib/catalogue/cached";
import type { CataloguePlan } from "@/lib/catalogue/queries";
import { cachedOpenApi } from "@/lib/products/cached";
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

const number = new Intl.NumberFormat("en");

function PlanCard({ plan, productId }: { plan: CataloguePlan; productId: string }) {
  return (
    <Card className="flex flex-col" data-testid="plan">
      <div className="flex items-start justify-between gap-2">
        <h3 className="font-semibold">{plan.name}</h3>
        {plan.autoApprove ? (
          <Badge tone="green">Auto-approved</Badge>
        ) : (
          <Badge tone="amber">
            {plan.approvalsRequired === 1 ? "Needs approval" : `Needs ${plan.approvalsRequired} approvals`}
          </Badge>
        )}
      </div>
      {plan.description ? <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{plan.description}</p> : null}
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        <dt className="text-zinc-500">Rate limit</dt>
        <dd>{plan.rateLimitPerMinute ? `${number.format(plan.rateLimitPerMinute)} / min` : "Unlimited"}</dd>
        <dt className="text-zinc-500">Quota</dt>
        <dd>{plan.quotaPerMonth ? `${number.format(plan.quotaPerMonth)} / month` : "Unlimited"}</dd>
        {plan.rateLimitPerMinute || plan.quotaPerMonth ? (
          <>
            <dt className="text-zinc-500">Limits enforced by</dt>
            <dd>{plan.enforceLimits ? "Portico (429 past them)" : "the API's gateway"}</dd>
          </>
        ) : null}
        <dt className="text-zinc-500">Key lifetime</dt>
        <dd>{plan.keyLifetimeDays ? `${plan.keyLifetimeDays} days` : "No expiry"}</dd>
      </dl>
      <AddToCart productId={productId} planId={plan.id} planName={plan.name} />
    </Card>
  );
}

export default async function ProductPage({ params }: PageProps<"/apis/[slug]">) {
  const product = await load((await params).slug);
  if (!product) notFound();
  const openapi = await cachedOpenApi(product.slug);
  return (
    <article>
      <Breadcrumb parent={{ href: "/apis", label: "APIs" }} current={product.name} />
      <header className="mb-8">
        <h1 className="text-3xl font-bold tracking-tight">{product.name}</h1>
        <p className="mt-2 text-lg text-zinc-600 dark:text-zinc-400">{product.summary}</p>
        <div className="mt-4 flex flex-wrap gap-1.5">
          <Badge tone="indigo">{authMethodLabel[product.authMethod]}</Badge>
          {product.tags.map((t) => (
            <a key={t} href={`/apis?tag=${encodeURIComponent(t)}`}>
              <Badge>{t}</Badge>
            </a>
          ))}
        </div>
      </header>
      <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="about" className="min-w-0">
          <h2 id="about" className="sr-only">
            About this API
          </h2>
          <Markdown>{product.description}</Markdown>
        </section>
        <section aria-labelledby="plans">
          <h2 id="plans" className="mb-3 text-lg font-semibold">
            Plans
          </h2>
          {product.plans.length === 0 ? (
            <p className="text-sm text-zinc-500">No plans are offered yet. Check back soon.</p>
          ) : (
            <div className="space-y-3">
              {product.plans.map((plan) => (
                <PlanCard key={plan.id} plan={plan} productId={product.id} />
              ))}
            </div>
          )}
        </section>
      </div>
      {openapi ? (
        <section aria-labelledby="api-reference" className="mt-12 border-t border-zinc-200 pt-8 dark:border-zinc-800">
          <h2 id="api-reference" className="mb-4 text-2xl font-semibold">
            API reference
          </h2>
          <ApiReference document={openapi} />
        </section>
      ) : null}
    </article>
  );
}
