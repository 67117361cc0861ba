import { eq } from "drizzle-orm";
import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { authMethodWords } from "@/lib/catalogue/auth-method-words";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { plans } from "@/db/schema";
import { currentUser } from "@/lib/auth/guards";
import { cartProblems } from "@/lib/cart/cart-rules";
import { anonymousPairs, currentCart } from "@/lib/cart/session-cart";
import { myApps } from "@/lib/requests/queries";
import { redirectHost } from "@/lib/webhooks/redirect-consumer";
import { revokedBefore } from "@/lib/requests/revoked-before";
import { MergeCart } from "./merge-cart";
import { CartChanges } from "./cart-changes";
import { cartLineKey } from "./line-key";
import { RemoveFromCart } from "./remove-from-cart";
import { SubmitRequestForm } from "./submit-request-form";

export const metadata: Metadata = { title: "Cart" };
export const dynamic = "force-dynamic";

export default async function CartPage() {
  const user = await currentUser();
  const [lines, pendingMerge] = await Promise.all([currentCart(user), user ? anonymousPairs() : Promise.resolve([])]);
  const problems = cartProblems(lines);
  const first = lines[0];
  const [plan] = first ? await db.select().from(plans).where(eq(plans.id, first.planId)) : [];
  const apps = user ? await myApps(db, user.id) : [];
  // An auto-approving plan still waits for an approver after a revocation of these products (lib/requests/create-request.ts).
  const revoked =
    user && plan?.autoApprove && lines.length > 0
      ? Boolean(await revokedBefore(db, { requesterId: user.id, appId: null, productIds: lines.map((l) => l.productId) }))
      : false;

  return (
    <>
      <PageHeader
        title="Cart"
        description="Products you want access to, with one plan. Submit them as one request for one of your apps."
      />
      <CartChanges lines={lines.map((l) => ({ key: cartLineKey(l), name: `${l.productName} (${l.planName})` }))} />
      {user && pendingMerge.length > 0 ? <MergeCart /> : null}
      {lines.length === 0 ? (
        <EmptyState title="Your cart is empty">
          Open an API in the{" "}
          <Link href="/apis" className="text-indigo-600 dark:text-indigo-400 underline">
            catalogue
          </Link>{" "}
          and choose “Access with the … plan” on a product’s page.
        </EmptyState>
      ) : (
        <div className="grid gap-8 lg:grid-cols-[1fr_26rem]">
          <section aria-labelledby="cart-items">
            <h2 id="cart-items" className="mb-3 text-lg font-semibold">
              {lines.length} {lines.length === 1 ? "product" : "products"} · <bdi>{first?.planName}</bdi> plan ·{" "}
              {first ? authMethodWords[first.authMethod].label : ""}
            </h2>
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900" aria-label="Cart items">
              {lines.map((line) => (
                <li key={cartLineKey(line)} className="flex items-center justify-between gap-4 px-4 py-3">
                  <div>
                    <Link href={`/apis/${line.productSlug}`} className="font-medium hover:underline">
                      {line.productName}
                    </Link>
                    <p className="text-sm text-zinc-500 dark:text-zinc-400">
                      <bdi>{line.planName}</bdi> plan · {authMethodWords[line.authMethod].label}
                    </p>
                  </div>
                  <RemoveFromCart productId={line.productId} planId={line.planId} productName={line.productName} />
                </li>
              ))}
            </ul>
            {problems.length > 0 ? (
              <div role="alert" className="mt-4 rounded-md bg-amber-50 p-4 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
                <p className="font-medium">This cart cannot be submitted yet:</p>
                <ul className="mt-1 list-disc pl-5">
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
          <Card className="self-start">
            {user && plan ? (
              <SubmitRequestForm
                apps={apps}
                plan={{
                  name: plan.name,
                  keyLifetimeDays: plan.keyLifetimeDays,
                  requestFields: plan.requestFields,
                  autoApprove: plan.autoApprove,
                  revokedBefore: revoked,
                  approvalsRequired: plan.approvalsRequired,
                  redirectHost: redirectHost(plan.redirectUrl),
                }}
                disabled={problems.length > 0}
              />
            ) : (
              <div className="space-y-3 text-sm">
                <p>Sign in to choose an app and submit your request. Your cart will be kept.</p>
                <Button asChild>
                  <Link href="/signin?callbackUrl=%2Fcart">Sign in to continue</Link>
                </Button>
              </div>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
