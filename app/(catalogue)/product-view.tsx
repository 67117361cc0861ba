import type { ReactNode } from "react";
import { ApiReference } from "@/components/api-reference/api-reference";
import { Markdown } from "@/components/markdown";
import { AuthMethodNote } from "@/components/auth-method";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import type { CataloguePlan, CatalogueProductDetail } from "@/lib/catalogue/queries";
import type { SnippetTarget } from "@/lib/catalogue/snippets";
import { tagLabel } from "@/lib/catalogue/tag-label";
import { CodeSnippets } from "./code-snippets";
import { CopyButton } from "./copy-button";

const number = new Intl.NumberFormat("en");

/** An access token's lifetime in words: "10 minutes", "1 hour", "90 seconds". */
export function tokenLifetime(seconds: number) {
  const [n, unit] = seconds % 3600 === 0 ? [seconds / 3600, "hour"] : seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${number.format(n)} ${unit}${n === 1 ? "" : "s"}`;
}

function PlanCard({ plan, action, oauth }: { plan: CataloguePlan; action: ReactNode; oauth: boolean }) {
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
        <dt className="text-zinc-600 dark:text-zinc-400">{oauth ? "Client lifetime" : "Key lifetime"}</dt>
        <dd>{plan.keyLifetimeDays ? `${plan.keyLifetimeDays} days` : "No expiry"}</dd>
        {oauth ? (
          <>
            <dt className="text-zinc-600 dark:text-zinc-400">Scopes</dt>
            <dd data-testid="plan-scopes">
              {plan.oauthScopes.length > 0 ? (
                <ul className="flex flex-wrap gap-1" aria-label={`Scopes of the ${plan.name} plan`}>
                  {plan.oauthScopes.map((scope) => (
                    <li key={scope}>
                      <code className="break-all rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{scope}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                "None"
              )}
            </dd>
            <dt className="text-zinc-600 dark:text-zinc-400">Token lifetime</dt>
            <dd data-testid="plan-token-lifetime">{tokenLifetime(plan.accessTokenLifetimeSeconds)}</dd>
          </>
        ) : null}
      </dl>
      {action}
    </Card>
  );
}

/**
 * An OAuth 2.0 product: Portico is its authorization server (lib/oauth). Where and how an app gets its
 * access token; the scopes and token lifetime are each plan's (the plan cards).
 */
function HowToAuthenticate({ tokenUrl }: { tokenUrl: string }) {
  return (
    <section aria-labelledby="how-to-authenticate" data-testid="how-to-authenticate">
      <h2 id="how-to-authenticate" className="mb-1 text-xl font-semibold">
        How to authenticate
      </h2>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        This API takes OAuth 2.0 access tokens. Once your request is approved, you get a client ID and a client secret, shown once. Your app
        exchanges them at the token URL for an access token, then sends it as <code>Authorization: Bearer</code> with every call. Each plan
        lists the scopes its clients may ask for and how long a token lasts; ask for a new token when one expires.
      </p>
      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
        <dt className="text-zinc-600 dark:text-zinc-400">Token URL</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code data-testid="token-url" className="break-all rounded bg-zinc-100 px-1.5 py-0.5 dark:bg-zinc-800">
            {tokenUrl}
          </code>
          <CopyButton value={tokenUrl} what="token URL" />
        </dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Grant type</dt>
        <dd>
          <code className="rounded bg-zinc-100 px-1.5 py-0.5 dark:bg-zinc-800">client_credentials</code>
        </dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Client authentication</dt>
        <dd>HTTP Basic with the client ID and secret (or both in the form), or a signed JWT (private_key_jwt) once you register a public key</dd>
      </dl>
    </section>
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
        <div className="mt-4 flex flex-wrap items-center gap-x-2 gap-y-1.5">
          <AuthMethodNote method={product.authMethod} labelled />
          {product.tags.map((t) => (
            <a key={t} href={`/apis?tag=${encodeURIComponent(t)}`} className="rounded-full focus-visible:outline-2 focus-visible:outline-indigo-500">
              <Badge>{tagLabel(t)}</Badge>
            </a>
          ))}
        </div>
        {product.plans.length > 0 ? (
          // Below lg the plans come after the whole overview (a phone scrolls past 1,000 px of it):
          // what a visitor came to choose is one tap away. From lg they sit beside it, in view.
          <Button asChild variant="secondary" size="sm" className="mt-4 lg:hidden">
            <a href="#plans" data-testid="jump-to-plans">
              Choose a plan{product.plans.length > 1 ? ` (${product.plans.length})` : ""}
              <span aria-hidden="true">↓</span>
            </a>
          </Button>
        ) : null}
      </header>
      <div className="grid gap-10 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-10">
          <section aria-labelledby="about">
            <h2 id="about" className="sr-only">
              About this API
            </h2>
            <Markdown within="section">{product.description}</Markdown>
          </section>
          {product.authMethod === "oauth2" && snippetTarget.tokenUrl ? <HowToAuthenticate tokenUrl={snippetTarget.tokenUrl} /> : null}
          <section aria-labelledby="call-the-api">
            <h2 id="call-the-api" className="mb-1 text-xl font-semibold">
              Call the API
            </h2>
            <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
              {product.authMethod === "oauth2"
                ? "Your app gets an access token from the token URL with its client credentials and the scopes it needs, then sends the token with every call."
                : "Send your app's key with every call. You see the key once, when you generate it after your request is approved."}
            </p>
            <CodeSnippets target={snippetTarget} />
          </section>
        </div>
        <section aria-labelledby="plans" className="lg:sticky lg:top-6 lg:self-start">
          {/* Focusable so the jump link above leaves the keyboard here, not at the top of the page. */}
          <h2 id="plans" tabIndex={-1} className="mb-3 text-xl font-semibold focus:outline-none focus-visible:outline-2">
            Plans
          </h2>
          {product.plans.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No plans are offered yet. Check back soon.</p>
          ) : (
            <ol className="space-y-3" aria-label="Plans">
              {product.plans.map((plan) => (
                <li key={plan.id}>
                  <PlanCard plan={plan} action={planAction(plan)} oauth={product.authMethod === "oauth2"} />
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
