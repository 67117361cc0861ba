import type { ReactNode } from "react";
import { ApiReference } from "@/components/api-reference/api-reference";
import { Markdown } from "@/components/markdown";
import { authMethodLabel } from "@/components/product-card";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import type { CataloguePlan, CatalogueProductDetail } from "@/lib/catalogue/queries";
import type { SnippetTarget } from "@/lib/catalogue/snippets";
import { CodeSnippets } from "./code-snippets";

const number = new Intl.NumberFormat("en");

function PlanCard({ plan, action }: { plan: CataloguePlan; action: ReactNode }) {
  return (
    <Card
      className={cn("relative flex flex-col", plan.recommended && "border-indigo-500 ring-1 ring-indigo-500 dark:border-indigo-400 dark:ring-indigo-400")}
      data-testid="plan"
      data-recommended={plan.recommended ? "true" : undefined}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 className="font-semibold">{plan.name}</h3>
        <div className="flex flex-wrap gap-1.5">
          {plan.recommended ? <Badge tone="indigo">Recommended</Badge> : null}
          {plan.autoApprove ? (
            <Badge tone="green">Auto-approved</Badge>
          ) : (
            <Badge tone="amber">{plan.approvalsRequired === 1 ? "Needs approval" : `Needs ${plan.approvalsRequired} approvals`}</Badge>
          )}
        </div>
      </div>
      {plan.description ? <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{plan.description}</p> : null}
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        <dt className="text-zinc-600 dark:text-zinc-400">Rate limit</dt>
        <dd>{plan.rateLimitPerMinute ? `${number.format(plan.rateLimitPerMinute)} / min` : "Unlimited"}</dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Quota</dt>
        <dd>{plan.quotaPerMonth ? `${number.format(plan.quotaPerMonth)} / month` : "Unlimited"}</dd>
        {plan.rateLimitPerMinute || plan.quotaPerMonth ? (
          <>
            <dt className="text-zinc-600 dark:text-zinc-400">Limits enforced by</dt>
            <dd>{plan.enforceLimits ? "Portico (429 past them)" : "the API's gateway"}</dd>
          </>
        ) : null}
        <dt className="text-zinc-600 dark:text-zinc-400">Key lifetime</dt>
        <dd>{plan.keyLifetimeDays ? `${plan.keyLifetimeDays} days` : "No expiry"}</dd>
      </dl>
      {action}
    </Card>
  );
}

/**
 * A product's public page: the published page and its owner's preview of a draft render the same.
 * `planAction` is what each plan card offers (Add to cart when published; nothing in a preview).
 */
export function ProductView({
  product,
  openapi,
  snippetTarget,
  planAction,
  banner,
}: {
  product: CatalogueProductDetail;
  openapi: string | null;
  snippetTarget: SnippetTarget;
  planAction: (plan: CataloguePlan) => ReactNode;
  banner?: ReactNode;
}) {
  return (
    <article>
      {banner}
      <Breadcrumb parent={{ href: "/apis", label: "APIs" }} current={product.name} />
      <header className="mb-8">
        <h1 className="text-3xl font-bold tracking-tight">{product.name}</h1>
        <p className="mt-2 text-lg text-zinc-600 dark:text-zinc-400">{product.summary}</p>
        <div className="mt-4 flex flex-wrap gap-1.5">
          <Badge tone="indigo">{authMethodLabel[product.authMethod]}</Badge>
          {product.tags.map((t) => (
            <a key={t} href={`/apis?tag=${encodeURIComponent(t)}`} className="rounded-full focus-visible:outline-2 focus-visible:outline-indigo-500">
              <Badge>{t}</Badge>
            </a>
          ))}
        </div>
      </header>
      <div className="grid gap-10 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-10">
          <section aria-labelledby="about">
            <h2 id="about" className="sr-only">
              About this API
            </h2>
            <Markdown>{product.description}</Markdown>
          </section>
          <section aria-labelledby="call-the-api">
            <h2 id="call-the-api" className="mb-1 text-xl font-semibold">
              Call the API
            </h2>
            <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
              {product.authMethod === "oauth2"
                ? "Your app gets an access token from the token URL with its client credentials and the scopes it needs, then sends the token with every call."
                : "Send your app's key with every call. You see the key once, when you open the one-time link after your request is approved."}
            </p>
            <CodeSnippets target={snippetTarget} />
          </section>
        </div>
        <section aria-labelledby="plans" className="lg:sticky lg:top-6 lg:self-start">
          <h2 id="plans" className="mb-3 text-xl font-semibold">
            Plans
          </h2>
          {product.plans.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No plans are offered yet. Check back soon.</p>
          ) : (
            <ol className="space-y-3" aria-label="Plans">
              {product.plans.map((plan) => (
                <li key={plan.id}>
                  <PlanCard plan={plan} action={planAction(plan)} />
                </li>
              ))}
            </ol>
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
